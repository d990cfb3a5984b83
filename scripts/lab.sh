#!/bin/sh
# The lab: a small scenario with real `c5mesh start` processes in Linux network namespaces
# (root, iproute2). Same as `c5mesh lab`; see docs/SIMULATOR.md "The lab".
#   sudo scripts/lab.sh partition-heal            # config/scenarios/lab/partition-heal.yaml
#   sudo scripts/lab.sh my-lab.yaml --speed 10 --keep
if [ "$1" = "" ] || [ "$1" = "--help" ] || [ "$1" = "-h" ]; then
  echo "usage: scripts/lab.sh SCENARIO [--speed F] [--scale F] [--keep]   (root)"; exit 2
fi
exec node "$(dirname "$0")/../bin/c5mesh.js" lab "$@"
