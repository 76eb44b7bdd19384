"""The course's local JupyterHub (``make hub``): a workshop hub on one machine.

What it is: JupyterHub (PyPI) with configurable-http-proxy (npm, ``.hub/node_modules``);
every learner gets a single-user JupyterLab server started as a local process from the
course environment ``.venv-hub`` (the course installed, its kernel "Python 3 (Deep
Learning Workshop)", the JupyterLab settings of ``jupyter-config/``), with a home folder of
its own under ``.hub/users/``. Idle servers are stopped by ``jupyterhub-idle-culler``; the
course reaches them through an nbgitpuller link (``make hub`` prints it).

Names and passwords: JupyterHub's FirstUseAuthenticator (``jupyterhub-firstuseauthenticator``,
made for workshops): a learner picks a name (``ada``: a letter, then lowercase letters,
digits, - or _) and the password typed at that name's first login becomes its password, so
nobody else can enter that account afterwards; "Ada " is the same name as "ada"
(JupyterHub strips and lowercases names) and so needs ada's password. The instructors
(``COURSE_INSTRUCTORS``, make hub's ``INSTRUCTORS=``) get their password before the hub
opens, are admins and form the group ``instructors`` (``deploy/hub_instructors.py``, the same
snippet TLJH and z2jh run).

Isolation: run as root (a cloud VM, CI), every learner's server runs as a system user of its
own, ``course-<name>`` (``deploy/local/course_spawner.py``: JupyterHub's LocalProcessSpawner
with users it creates, as TLJH does), home mode 0700, never as root; the hub's state (the
sqlite database, cookie secret, password database) is root's, mode 0600, and nothing secret
is in a learner's environment. Run as an ordinary user, every learner's server runs as that
user (``SimpleLocalProcessSpawner``): learners share the instructor's account and can read
each other's files, so the hub then listens on 127.0.0.1 only (a trial run, a test). A class
on a network: The Littlest JupyterHub (``deploy/tljh/``) or Zero to JupyterHub
(``deploy/z2jh/config.yaml``), both with HTTPS.

Settings come from the environment (``make hub`` sets them; the tests and the load test too):
  COURSE_HUB_DIR       folder of the hub's state (default: .hub in the repository)
  COURSE_HUB_IP        the proxy's address (default 127.0.0.1; anything else only as root)
  COURSE_HUB_PORT      the proxy's port (default 8000)
  COURSE_INSTRUCTORS   the instructors' names, comma-separated (default: instructor)
  COURSE_INSTRUCTOR_PASSWORD  their first password (at least 8 characters; required)
  COURSE_HUB_USER_PREFIX      as root: the learners' system user prefix (default course-)
  COURSE_HUB_API_TOKEN optional: a token for the "course-admin" service (load test)
  COURSE_HUB_MEM_LIMIT / COURSE_HUB_CPU_LIMIT  per-learner limits (see below)
  COURSE_HUB_CULL_S    idle culling after this many seconds (default 3600)
"""

import os
import re
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

ROOT = Path(__file__).resolve().parents[2]
HUB_DIR = Path(os.environ.get("COURSE_HUB_DIR", ROOT / ".hub")).resolve()
VENV = Path(sys.prefix)  # the hub runs from .venv-hub, and so do the learners' servers
PORT = int(os.environ.get("COURSE_HUB_PORT", "8000"))
ROOT_MODE = os.geteuid() == 0  # system users per learner only when the hub can create them
IP = os.environ.get("COURSE_HUB_IP", "127.0.0.1")
if IP != "127.0.0.1" and not ROOT_MODE:
    sys.exit(f"COURSE_HUB_IP={IP}: without root every learner's server runs as this account, so "
             "learners could read each other's files; the hub listens on 127.0.0.1 only")

# --- the hub ------------------------------------------------------------------------------
c.JupyterHub.ip = IP
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("COURSE_HUB_INTERNAL_PORT", PORT + 1))
PROXY_API_PORT = int(os.environ.get("COURSE_HUB_PROXY_API_PORT", PORT + 2))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.command = [str(HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{HUB_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(HUB_DIR / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(HUB_DIR / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(HUB_DIR / "proxy.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server

# --- log in: a password of one's own, set at the name's first login (FirstUseAuthenticator) --
c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
c.FirstUseAuthenticator.dbm_path = str(HUB_DIR / "passwords.dbm")
c.FirstUseAuthenticator.min_password_length = 8
c.FirstUseAuthenticator.create_users = True  # any new name may join the room ...
c.Authenticator.allow_all = True
# ... if it is a plain name (also a valid system user name after the prefix)
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{0,23}$"
# the instructors: passwords set before anyone can claim their names, admins, group "instructors"
_snippet = ROOT / "deploy" / "hub_instructors.py"
exec(compile(_snippet.read_text(), str(_snippet), "exec"), {"c": c})  # noqa: S102

# --- learners' servers: local processes from the course environment ------------------------
if ROOT_MODE:  # one system user per learner (deploy/local/course_spawner.py)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from course_spawner import SystemUserSpawner

    c.JupyterHub.spawner_class = SystemUserSpawner
    c.SystemUserSpawner.user_prefix = os.environ.get("COURSE_HUB_USER_PREFIX", "course-")
    c.SystemUserSpawner.homes = str(HUB_DIR / "users")
else:  # learners share this account: a trial run on 127.0.0.1
    c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: no system users
    c.SimpleLocalProcessSpawner.home_dir_template = str(HUB_DIR / "users" / "{username}")
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
# Many kernels on few cores: one torch/BLAS thread per kernel (the course's default too).
c.Spawner.environment = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "WORKSHOP_THREADS": "1",
}
if ROOT_MODE:
    # make hub's course copy belongs to root: git (>= 2.35.2) refuses another user's repository
    # unless it is named safe, which git reads only from system or global config: the learners'
    # git gets a system config (root's, read-only) naming that one path (run_hub.py writes it)
    c.Spawner.environment["GIT_CONFIG_SYSTEM"] = str(HUB_DIR / "learners.gitconfig")
# On a hub lesson 05 loads the shipped weights (workshop_utils.trained.live_training_enabled); the load
# test's "training" scenario sets WORKSHOP_TRAIN_LIVE=1 for the hub to train live there.
if os.environ.get("WORKSHOP_TRAIN_LIVE"):
    c.Spawner.environment["WORKSHOP_TRAIN_LIVE"] = os.environ["WORKSHOP_TRAIN_LIVE"]
# Per-learner limits. LocalProcessSpawner passes them on (MEM_LIMIT/CPU_LIMIT, shown by
# jupyter-resource-usage where installed) but cannot enforce them; TLJH (systemd) and
# Kubernetes do. The values: deploy/z2jh/config.yaml's, which `make bench-hub` writes from
# the measured load test (benchmarks/hub_results.json).
SIZING = re.findall(r"(\S+)\s*# sizing: (\w+)", (ROOT / "deploy" / "z2jh" / "config.yaml").read_text())
MEASURED = {key: value for value, key in SIZING}
c.Spawner.mem_limit = os.environ.get("COURSE_HUB_MEM_LIMIT", MEASURED["mem_limit"])
c.Spawner.cpu_limit = float(os.environ.get("COURSE_HUB_CPU_LIMIT", MEASURED["cpu_limit"]))
# The single-user server stops kernels idle for 20 minutes (the culler stops whole servers).
c.Spawner.args = [
    "--MappingKernelManager.cull_idle_timeout=1200",
    "--MappingKernelManager.cull_interval=120",
    "--MappingKernelManager.cull_connected=False",
]

# --- idle culling: jupyterhub-idle-culler as a hub service --------------------------------
CULL_S = int(os.environ.get("COURSE_HUB_CULL_S", "3600"))
c.JupyterHub.services = [
    {"name": "idle-culler",
     "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={CULL_S}",
                 f"--cull-every={max(10, min(300, CULL_S // 4))}"]},
]
c.JupyterHub.load_roles = [
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
]
if os.environ.get("COURSE_HUB_API_TOKEN"):  # the load test drives the hub with this service
    c.JupyterHub.services.append({"name": "course-admin", "api_token": os.environ["COURSE_HUB_API_TOKEN"]})
    c.JupyterHub.load_roles.append(
        {"name": "course-admin", "services": ["course-admin"],
         "scopes": ["admin:users", "admin:servers", "access:servers", "tokens", "list:users"]})

# ==========================================================================================
# --- the class pulse (workshop_utils/pulse): a hub service. Its own block, kept last. -----
# Learners' kernels post each checker's verdict (exercise, ok, mistake code, time, the hub
# user name; learners/privacy.md) to it with the token the hub gives their server
# (WORKSHOP_PULSE=<hub>/services/pulse/#hub, set for every server below). Its dashboard,
# <hub>/services/pulse/, opens through the hub's OAuth for members of the group
# "instructors" and admins only (the role below). Settings:
#   COURSE_HUB_PULSE=0                 leave the pulse out
#   COURSE_HUB_PULSE_PORT              the service's own port on 127.0.0.1 (default: hub port + 3)
#   COURSE_HUB_PULSE_STUCK_AFTER       tries without passing shown as "stuck" (default 3)
#   COURSE_HUB_PULSE_INSTRUCTORS=a,b   add these users to the group "instructors" (the group
#                                      may also be filled elsewhere in this file; both add up)
if os.environ.get("COURSE_HUB_PULSE", "1") != "0":
    PULSE_PORT = int(os.environ.get("COURSE_HUB_PULSE_PORT", PORT + 3))
    c.JupyterHub.services.append({
        "name": "pulse",
        "url": f"http://127.0.0.1:{PULSE_PORT}",
        "command": [sys.executable, "-m", "workshop_utils.pulse", "--hub",
                    "--stuck-after", os.environ.get("COURSE_HUB_PULSE_STUCK_AFTER", "3")],
        "oauth_no_confirm": True,  # part of the hub: no "authorize access?" page
        "display": True,  # listed on the hub's home page (for those who may open it)
    })
    c.JupyterHub.load_roles.append(
        {"name": "pulse-dashboard", "groups": ["instructors"], "scopes": ["access:services!service=pulse"]})
    # the kernels reach the proxy where it listens (a LAN address when make hub was given one)
    _proxy_host = "127.0.0.1" if IP in ("", "0.0.0.0", "::") else IP
    c.Spawner.environment["WORKSHOP_PULSE"] = f"http://{_proxy_host}:{PORT}/services/pulse/#hub"
    _pulse_instructors = [n.strip() for n in os.environ.get("COURSE_HUB_PULSE_INSTRUCTORS", "").split(",")
                          if n.strip()]
    if _pulse_instructors:
        _groups = c.JupyterHub.load_groups if isinstance(c.JupyterHub.load_groups, dict) else {}
        _entry = _groups.get("instructors", {})
        _entry = {"users": list(_entry)} if isinstance(_entry, list) else dict(_entry)
        _entry["users"] = sorted(set(_entry.get("users", [])) | set(_pulse_instructors))
        c.JupyterHub.load_groups = dict(_groups, instructors=_entry)
