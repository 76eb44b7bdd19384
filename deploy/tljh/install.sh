#!/usr/bin/env bash
# The Littlest JupyterHub (TLJH) for a class taking this course, on one fresh Ubuntu server.
# Needs root (TLJH makes a system user per learner and limits each with systemd), the
# internet at install time, and a domain name pointing at the server (for HTTPS: Let's
# Encrypt). Size the server from deploy/README.md.
#
#   sudo WORKSHOP_DOMAIN=hub.your-university.edu WORKSHOP_EMAIL=you@your-university.edu \
#        INSTRUCTOR_PASSWORD_FILE=/root/instructor-password INSTRUCTORS=instructor \
#        TLJH_BOOTSTRAP_SHA256=<sha256 of the pinned bootstrap.py> bash install.sh
#
# Variables (from the environment, never a command-line argument of a tool):
#   WORKSHOP_DOMAIN           the hub's domain name (required: HTTPS with Let's Encrypt)
#   WORKSHOP_EMAIL            the Let's Encrypt contact address (required)
#   INSTRUCTOR_PASSWORD_FILE  a file (mode 0600) holding the instructors' first password
#                             (at least 8 characters; written with an editor, not `echo`)
#   INSTRUCTORS               the instructors' hub names, comma-separated (default: instructor)
#   TLJH_BOOTSTRAP_SHA256     optional: the sha256 of the bootstrap below, if you checked a
#                             newer one; default: the pinned one's (computed from the
#                             bootstrap/bootstrap.py blob of TLJH's tag 2.0.0, commit a47a171)
#
# Log in: JupyterHub's FirstUseAuthenticator (TLJH's default): a learner picks a name and
# the password typed at its first login becomes theirs (learners/hub.md). The instructors get
# their password before the hub opens, are admins and form the group "instructors"
# (deploy/hub_instructors.py, the same snippet make hub and z2jh run).
#
# Lines ending in "# course: ..." follow workshop_utils/course.py (`make sync`, `make release`).
# Lines ending in "# sizing: ..." are written by `make bench-hub` (benchmarks/hub_sizing.py)
# from the measured class load test, benchmarks/hub_results.json; do not edit them by hand.
set -euo pipefail
REPO=https://github.com/dl-math-workshop/deep-learning-workshop  # course: repo_url
REF=v0.1.0  # course: ref
HUB_REF=release-0.1  # course: hub_ref
TLJH_VERSION=2.0.0
TLJH_COMMIT=a47a171850afc22d46f3b5b5bb0d09f2fae0937f  # the tag 2.0.0
TLJH_BOOTSTRAP_URL="https://raw.githubusercontent.com/jupyterhub/the-littlest-jupyterhub/$TLJH_COMMIT/bootstrap/bootstrap.py"
TLJH_BOOTSTRAP_SHA256="${TLJH_BOOTSTRAP_SHA256:-f97d6db8cb0707c188baf988169bc2bd34e6091c5f1761016d7c4efee9563fa9}"

: "${WORKSHOP_DOMAIN:?set WORKSHOP_DOMAIN to the domain name of the hub (HTTPS needs one)}"
: "${WORKSHOP_EMAIL:?set WORKSHOP_EMAIL to the contact address for the Lets Encrypt certificate}"
: "${INSTRUCTOR_PASSWORD_FILE:?set INSTRUCTOR_PASSWORD_FILE to a file holding the first password of the instructors}"
INSTRUCTORS="${INSTRUCTORS:-instructor}"
if [ "$(id -u)" -ne 0 ]; then echo "run as root (sudo)" >&2; exit 2; fi
if ! [[ "$WORKSHOP_DOMAIN" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
  echo "WORKSHOP_DOMAIN must be a plain domain name such as hub.example.org" >&2; exit 2
fi
if ! [[ "$INSTRUCTORS" =~ ^[a-z][a-z0-9_-]{0,23}(,[a-z][a-z0-9_-]{0,23})*$ ]]; then
  echo "INSTRUCTORS must be hub names (lowercase letters, digits, - or _), comma-separated" >&2; exit 2
fi
if [ "$(tr -d '\n' < "$INSTRUCTOR_PASSWORD_FILE" | wc -c)" -lt 8 ]; then
  echo "INSTRUCTOR_PASSWORD_FILE: the password must be at least 8 characters" >&2; exit 2
fi

# 1. TLJH itself, from a pinned bootstrap whose checksum is verified before it runs
BOOTSTRAP="$(mktemp)"
curl -fsSL -o "$BOOTSTRAP" "$TLJH_BOOTSTRAP_URL"
echo "$TLJH_BOOTSTRAP_SHA256  $BOOTSTRAP" | sha256sum --check --strict - \
  || { echo "the TLJH bootstrap does not match TLJH_BOOTSTRAP_SHA256: not running it" >&2; exit 3; }
python3 "$BOOTSTRAP" --version "$TLJH_VERSION"
rm -f "$BOOTSTRAP"

# 2. The course in the learners' environment (/opt/tljh/user): a CPU PyTorch first (never the
#    multi-GB CUDA build), then the course package at the release tag, JupyterLab settings and
#    the kernel name as `make lab` and Binder give them.
USER_PY=/opt/tljh/user/bin/python
"$USER_PY" -m pip install --no-cache-dir "torch>=2.0" --index-url https://download.pytorch.org/whl/cpu
"$USER_PY" -m pip install --no-cache-dir "workshop_utils[lab] @ git+$REPO@$REF" "nbgitpuller>=1.2"
SRC="$(mktemp -d)"
git clone --quiet --depth 1 --branch "$REF" "$REPO" "$SRC"
cp -R "$SRC/jupyter-config/share" "$SRC/jupyter-config/etc" /opt/tljh/user/
"$USER_PY" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (Deep Learning Workshop)"

# 3. Log in: a password of one's own, set at the first login (FirstUseAuthenticator); the
#    instructors' passwords set before the hub opens, from a root-only copy of the file
STATE=/opt/tljh/state
install -m 0600 -o root -g root "$INSTRUCTOR_PASSWORD_FILE" "$STATE/course-instructor-password"
tljh-config set auth.type firstuseauthenticator.FirstUseAuthenticator
tljh-config set auth.FirstUseAuthenticator.create_users true
tljh-config set auth.FirstUseAuthenticator.min_password_length 8
tljh-config set auth.FirstUseAuthenticator.dbm_path "$STATE/passwords.dbm"
{
  echo "import os"
  echo "os.environ.setdefault('COURSE_INSTRUCTORS', '$INSTRUCTORS')"
  echo "os.environ.setdefault('COURSE_INSTRUCTOR_PASSWORD_FILE', '$STATE/course-instructor-password')"
  echo "os.environ.setdefault('COURSE_PASSWORDS_DBM', '$STATE/passwords.dbm')"
  cat "$SRC/deploy/hub_instructors.py"
} > /opt/tljh/config/jupyterhub_config.d/course_instructors.py
rm -rf "$SRC"

# 4. HTTPS with Let's Encrypt (TLJH's traefik); the learners' passwords never cross plain HTTP
tljh-config set https.enabled true
tljh-config set https.letsencrypt.email "$WORKSHOP_EMAIL"
tljh-config add-item https.letsencrypt.domains "$WORKSHOP_DOMAIN"

# 5. Per-learner limits (systemd) and idle culling
tljh-config set limits.memory 1408M  # sizing: mem_limit
tljh-config set limits.cpu 1  # sizing: cpu_limit
tljh-config set services.cull.timeout 3600
tljh-config set services.cull.every 300
tljh-config set user_environment.default_app jupyterlab

# 6. Many kernels on few cores: one torch/BLAS thread per kernel
cat > /opt/tljh/config/jupyterhub_config.d/course.py <<'PY'
c.Spawner.environment.update({"OMP_NUM_THREADS": "1", "WORKSHOP_THREADS": "1"})
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{0,23}$"
PY
tljh-config reload proxy
tljh-config reload

LINK="$("$USER_PY" -c 'import sys; from workshop_utils import course; print(course.hub_link(sys.argv[1]))' "https://$WORKSHOP_DOMAIN")"
echo "The learners' link (pulls the course's release branch $HUB_REF into their home, opens lesson 01;"
echo "clicking it again later merges fixes and keeps their edits):"
echo "  $LINK"

# ==========================================================================================
# 6. The class pulse (workshop_utils/pulse; learners/privacy.md): the checkers' verdicts,
#    live, at https://$WORKSHOP_DOMAIN/services/pulse/ for admins (the "instructor" made above)
#    and the group "instructors" (add members on the hub's admin page). Learners' kernels
#    post with the token the hub gives their server. PULSE=0 leaves it out.
if [ "${PULSE:-1}" != "0" ]; then
cat > /opt/tljh/config/jupyterhub_config.d/pulse.py <<'PY'
c.JupyterHub.services.append({
    "name": "pulse", "url": "http://127.0.0.1:10101",
    "command": ["/opt/tljh/user/bin/python", "-m", "workshop_utils.pulse", "--hub", "--stuck-after", "3"],
    "oauth_no_confirm": True, "display": True,
})
c.JupyterHub.load_roles.append(
    {"name": "pulse-dashboard", "groups": ["instructors"], "scopes": ["access:services!service=pulse"]})
# the kernels post to the service itself on this machine (the proxy answers HTTPS only)
c.Spawner.environment.update({"WORKSHOP_PULSE": "http://127.0.0.1:10101/services/pulse/#hub"})
PY
tljh-config reload
echo "The class pulse (instructors and admins): https://$WORKSHOP_DOMAIN/services/pulse/"
fi
