"""``make hub`` as root: every learner's server as a system user of its own, as TLJH does.

:class:`SystemUserSpawner` is JupyterHub's ``LocalProcessSpawner`` with users it creates:
the hub user ``ada`` runs as the system user ``<prefix>ada`` (``course-ada`` by default, a
prefix so that no learner name meets a real account such as ``root`` or ``www-data``), a
member of one shared group ``<prefix>learners`` (no private group), home
``<hub dir>/users/<prefix>ada`` with mode 0700, login shell /bin/bash (JupyterLab's
terminal), no password (nobody logs into the machine as them). The server starts with
umask 077, never as root and never with ``--allow-root``. ``system_users.py`` makes the users
and takes them away again (``run_hub.py --remove-users``, the tests).
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from system_users import ensure_system_user
from traitlets import Unicode


class SystemUserSpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose servers run as ``<prefix><hub name>``, created on first start."""

    user_prefix = Unicode("course-", config=True, help="prefix of the learners' system user names")
    homes = Unicode(config=True, help="folder of the learners' homes (made 0711, root-owned)")

    @property
    def system_name(self) -> str:
        return self.user_prefix + self.user.name

    def make_preexec_fn(self, name):
        setuid = set_user_setuid(self.system_name)  # never the hub's own user

        def preexec():
            os.umask(0o077)
            setuid()
            if os.getuid() == 0 or os.geteuid() == 0:
                raise PermissionError("a learner's server must not run as root")
        return preexec

    def user_env(self, env):
        entry = pwd.getpwnam(self.system_name)
        env.update(USER=entry.pw_name, LOGNAME=entry.pw_name, HOME=entry.pw_dir, SHELL=entry.pw_shell)
        return env

    async def start(self):
        ensure_system_user(self.user.name, self.user_prefix, Path(self.homes))
        return await super().start()
