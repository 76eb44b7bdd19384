# The course's instructors on a class hub: a JupyterHub config snippet, the same in every
# deployment (make hub's deploy/local/jupyterhub_config.py runs it; deploy/tljh/install.sh
# copies it into /opt/tljh/config/jupyterhub_config.d/; deploy/z2jh/config.yaml carries it as
# hub.extraConfig, checked equal to this file by tests/test_deploy.py).
#
# Learners log in with JupyterHub's FirstUseAuthenticator: the password typed at a name's
# first login becomes that name's password. So that no learner can claim an instructor's
# name first, this snippet gives every instructor their password *before* the hub opens
# (bcrypt hash in the authenticator's password database, only where none is set yet, so a
# password changed at /hub/auth/change-password survives restarts), makes them admins
# (the admin page, and access to a learner's server to help) and members of the JupyterHub
# group "instructors". Read from the hub's environment, never from a command line:
#   COURSE_INSTRUCTORS               comma-separated names (default: instructor)
#   COURSE_INSTRUCTOR_PASSWORD       their first password (at least 8 characters), or
#   COURSE_INSTRUCTOR_PASSWORD_FILE  a file holding it (mode 0600)
#   COURSE_PASSWORDS_DBM             the password database (else the authenticator's dbm_path)
import dbm
import os
import re

import bcrypt

try:  # a JupyterHub config file and z2jh's hub.extraConfig both run with `c` defined
    c  # noqa: B018, F821
except NameError:
    c = get_config()  # noqa: F821

_given = os.environ.get("COURSE_INSTRUCTORS", "instructor")
_names = [n.strip().lower() for n in _given.split(",") if n.strip()]
for _n in _names:
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,23}", _n):
        raise SystemExit(f"COURSE_INSTRUCTORS: {_n!r} is not a hub name (a letter, then up to 23 "
                         "lowercase letters, digits, - or _)")
_password = os.environ.get("COURSE_INSTRUCTOR_PASSWORD", "")
if not _password and os.environ.get("COURSE_INSTRUCTOR_PASSWORD_FILE"):
    with open(os.environ["COURSE_INSTRUCTOR_PASSWORD_FILE"]) as _f:
        _password = _f.read().strip()
if len(_password) < 8:
    raise SystemExit("COURSE_INSTRUCTOR_PASSWORD(_FILE) must give the instructors' first password "
                     "(at least 8 characters)")
_dbm = os.environ.get("COURSE_PASSWORDS_DBM") or (
    c.FirstUseAuthenticator.dbm_path if "dbm_path" in c.FirstUseAuthenticator else "passwords.dbm")
c.FirstUseAuthenticator.dbm_path = _dbm
_old = os.umask(0o077)
try:
    with dbm.open(_dbm, "c", 0o600) as _db:
        for _n in _names:
            if _n.encode() not in _db:
                _db[_n.encode()] = bcrypt.hashpw(_password.encode(), bcrypt.gensalt())
finally:
    os.umask(_old)
c.Authenticator.admin_users = set(_names)
c.JupyterHub.load_groups = {"instructors": {"users": list(_names)}}
del _password
