#!/usr/bin/env bash
# Extract a prior on Slurm as a job array of shards, merge the partial counts, and check that the merge is byte for
# byte the prior one `nonadj extract` run writes (issue 16). Starts its own single-node cluster on this machine:
# munged, slurmctld and slurmd as root, without systemd, on private ports, sockets and state folders under a
# temporary folder, and stops them (by their own pids) on exit. Needs Debian's slurmctld, slurmd, slurm-client and
# munge packages and a built nonadj (`npm run build`).
#
#   scripts/slurm/localCluster.sh [data-folder] [shards] [extract options…]
#
# Without a data folder, one is made from the bundled atlases (AAL, Harvard-Oxford, JHU, INIA19: four exams of
# different grids and label sets) and extracted with --contiguous. On a real cluster, see docs/CLUSTERS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NONADJ="$ROOT/bin/nonadj.js"
[ -f "$ROOT/dist/cli/main.js" ] || { echo "localCluster: nonadj is not built; run npm run build first" >&2; exit 2; }
for tool in munged slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null || { echo "localCluster: $tool not found; apt-get install -y slurmctld slurmd slurm-client munge" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/nonadj-slurm.XXXXXX)
DATA=${1:-}
SHARDS=${2:-4}
shift $(( $# > 2 ? 2 : $# ))
OPTIONS=("$@")
if [ -z "$DATA" ]; then
  DATA="$WORK/data"
  i=0
  for atlas in aal.nii.gz HarvardOxford-cort-maxprob-thr0-1mm.nii.gz JHU-WhiteMatter-labels-1mm.nii.gz inia19-NeuroMaps.nii.gz; do
    i=$((i + 1))
    mkdir -p "$DATA/exam-$i"
    ln -s "$ROOT/data/$atlas" "$DATA/exam-$i/prepro_seg_mni.nii.gz"
  done
  [ ${#OPTIONS[@]} -gt 0 ] || OPTIONS=(--contiguous)
fi

# Private instances: their own munge socket and key copy, ports 16817/16818, state under $WORK.
HOST=$(hostname -s)
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/parts" "$WORK/logs"
cp /etc/munge/munge.key "$WORK/munge.key"
chmod 600 "$WORK/munge.key"
export SLURM_CONF="$WORK/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=nonadj
SlurmctldHost=$HOST
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$WORK/munge.sock
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ReturnToService=2
NodeName=$HOST CPUs=2 State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

stop() {
  # Only the daemons this script started, by the pids they wrote.
  local pids=()
  for pidfile in "$WORK/slurmd.pid" "$WORK/slurmctld.pid" "$WORK/munged.pid"; do
    if [ -s "$pidfile" ]; then pids+=("$(cat "$pidfile")"); kill "${pids[-1]}" 2>/dev/null || true; fi
  done
  # Wait for them to exit (ports and sockets free for the next run), at most 10 s.
  for _ in $(seq 20); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.5
  done
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "localCluster: kept $WORK"; fi
}
trap stop EXIT

munged --socket="$WORK/munge.sock" --key-file="$WORK/munge.key" --pid-file="$WORK/munged.pid" \
  --log-file="$WORK/munged.log" --seed-file="$WORK/munged.seed" --force
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  sinfo -h -o '%T' 2>/dev/null | grep -qE '^idle' && break
  sleep 1
done
sinfo -h -o '%T' | grep -qE '^idle' || { echo "localCluster: the node did not come up:" >&2; tail -5 "$WORK/slurmctld.log" "$WORK/slurmd.log" >&2; exit 1; }
echo "cluster:  $(sinfo -h -o '%P %D node(s) %c CPUs %T')"

# The job array: task i counts shard i/n on one CPU and writes its partial counts.
cat > "$WORK/shard.sbatch" <<JOB
#!/usr/bin/env bash
#SBATCH --job-name=nonadj-extract
#SBATCH --cpus-per-task=1
#SBATCH --output=$WORK/logs/shard-%a.out
set -euo pipefail
node "$NONADJ" extract "$DATA" "$WORK/parts/shard-\$SLURM_ARRAY_TASK_ID.json" --shard "\$SLURM_ARRAY_TASK_ID/\$SLURM_ARRAY_TASK_COUNT" --threads 1 -q ${OPTIONS[*]}
JOB
started=$(date +%s.%N)
sbatch --wait --array=0-$((SHARDS - 1)) "$WORK/shard.sbatch" || { echo "localCluster: the job array failed:" >&2; cat "$WORK"/logs/*.out >&2; exit 1; }
echo "array:    $SHARDS tasks done in $(echo "$(date +%s.%N) - $started" | bc) s"
cat "$WORK"/logs/shard-*.out | grep -E '^(shard|labels):' || true

node "$NONADJ" merge "$WORK"/parts/shard-*.json --out "$WORK/merged"
node "$NONADJ" extract "$DATA" "$WORK/single" -q "${OPTIONS[@]}"
for file in graph.json graph.png.csv graph.png; do
  cmp "$WORK/merged/$file" "$WORK/single/$file" || { echo "localCluster: $file of the merged shards differs from one run" >&2; exit 1; }
done
echo "same:     the merge of $SHARDS Slurm shards is byte for byte one run's graph.json, graph.png.csv and graph.png"
