#!/usr/bin/env bash
# The Littlest JupyterHub (TLJH) for a class taking this course, on one fresh Ubuntu server.
# Needs root (TLJH makes a system user per learner and limits each with systemd) and the
# internet at install time. Size the server from README, "Teach it to a class".
#
#   sudo WORKSHOP_PASSWORD='at least 8 characters' bash install.sh
#
# Lines ending in "# course: ..." follow workshop_utils/course.py (`make sync`, `make release`).
# Lines ending in "# sizing: ..." are written by `make bench-hub` (benchmarks/hub_sizing.py)
# from the measured class load test, benchmarks/hub_results.json; do not edit them by hand.
set -euo pipefail
REPO=https://github.com/dl-math-workshop/deep-learning-workshop  # course: repo_url
REF=v0.1.0  # course: ref
: "${WORKSHOP_PASSWORD:?set WORKSHOP_PASSWORD to the workshop password (at least 8 characters)}"
if [ "${#WORKSHOP_PASSWORD}" -lt 8 ]; then echo "WORKSHOP_PASSWORD: at least 8 characters" >&2; exit 2; fi

# 1. TLJH itself (JupyterHub, its proxy, the idle culler, nbgitpuller in the learners' environment)
curl -fsSL https://tljh.jupyter.org/bootstrap.py | python3 - --admin instructor

# 2. The course in the learners' environment (/opt/tljh/user): a CPU PyTorch first (never the
#    multi-GB CUDA build), then the course package at the release ref, JupyterLab settings and
#    the kernel name as `make lab` and Binder give them.
USER_PY=/opt/tljh/user/bin/python
"$USER_PY" -m pip install --no-cache-dir "torch>=2.0" --index-url https://download.pytorch.org/whl/cpu
"$USER_PY" -m pip install --no-cache-dir "workshop_utils[lab] @ git+$REPO@$REF" "nbgitpuller>=1.2"
SRC="$(mktemp -d)"
git clone --quiet --depth 1 --branch "$REF" "$REPO" "$SRC"
cp -R "$SRC/jupyter-config/share" "$SRC/jupyter-config/etc" /opt/tljh/user/
"$USER_PY" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (Deep Learning Workshop)"
rm -rf "$SRC"

# 3. Log in: one shared workshop password (JupyterHub's own authenticator)
tljh-config set auth.type jupyterhub.authenticators.shared.SharedPasswordAuthenticator
tljh-config set auth.SharedPasswordAuthenticator.user_password "$WORKSHOP_PASSWORD"
tljh-config set auth.SharedPasswordAuthenticator.allow_all true

# 4. Per-learner limits (systemd) and idle culling
tljh-config set limits.memory 1408M  # sizing: mem_limit
tljh-config set limits.cpu 1  # sizing: cpu_limit
tljh-config set services.cull.timeout 3600
tljh-config set services.cull.every 300
tljh-config set user_environment.default_app jupyterlab

# 5. Many kernels on few cores: one torch/BLAS thread per kernel
cat > /opt/tljh/config/jupyterhub_config.d/course.py <<'PY'
c.Spawner.environment.update({"OMP_NUM_THREADS": "1", "WORKSHOP_THREADS": "1"})
PY
tljh-config reload

HOST="$(hostname -I | awk '{print $1}')"
LINK="$("$USER_PY" -c 'import sys; from workshop_utils import course; print(course.hub_link(sys.argv[1]))' "http://$HOST")"
echo "The learners' link (pulls the course into their home at $REF and opens lesson 01):"
echo "  $LINK"

# ==========================================================================================
# 6. The class pulse (workshop_utils/pulse; learners/privacy.md): the checkers' verdicts,
#    live, at http://<this server>/services/pulse/ for admins (the "instructor" made above)
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
c.Spawner.environment.update({"WORKSHOP_PULSE": "http://127.0.0.1/services/pulse/#hub"})
PY
tljh-config reload
echo "The class pulse (instructors and admins): http://$HOST/services/pulse/"
fi
