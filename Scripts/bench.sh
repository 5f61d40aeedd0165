#!/usr/bin/env bash
# Pipeline speed on one core (release build, shipped rule packs): the YouTube development comments
# repeated to about 100,000, without and with 2,000 generated extra rules, each run several times.
# Prints every run and the medians, and the ratio of the two medians.
#
#   Scripts/bench.sh [RUNS]        (default 5 runs each)
#
# The data is read from ../shared/data/youtube-spam (or MODERATO_DATA/youtube-spam).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
data=${MODERATO_DATA:-../shared/data}/youtube-spam
Scripts/bootstrap.sh
swift build -c release --product modctl >&2
csv=(--csv "$data/Youtube01-Psy.csv" --csv "$data/Youtube02-KatyPerry.csv" --csv "$data/Youtube03-LMFAO.csv")
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A rate p50 p99
for extra in 0 2000; do
  results=()
  for ((i = 1; i <= runs; i++)); do
    # taskset keeps the run on one core when available.
    line=$(taskset -c 0 .build/release/modctl bench "${csv[@]}" --text-column CONTENT --repeat 88 --extra-rules "$extra" --json 2>/dev/null \
      || .build/release/modctl bench "${csv[@]}" --text-column CONTENT --repeat 88 --extra-rules "$extra" --json)
    results+=("$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["comments_per_second"], d["p50_us"], d["p99_us"], d["rules"], d["comments"])' <<<"$line")")
    echo "extra rules $extra, run $i: $(awk '{printf "%.0f comments/s, p50 %.1f µs, p99 %.1f µs (%d rules, %d comments)", $1, $2, $3, $4, $5}' <<<"${results[-1]}")"
  done
  rate[$extra]=$(printf '%s\n' "${results[@]}" | awk '{print $1}' | median)
  p50[$extra]=$(printf '%s\n' "${results[@]}" | awk '{print $2}' | median)
  p99[$extra]=$(printf '%s\n' "${results[@]}" | awk '{print $3}' | median)
done
echo
printf 'median, shipped rules:          %8.0f comments/s  p50 %5.1f µs  p99 %6.1f µs   (target ≥ 50,000/s)\n' "${rate[0]}" "${p50[0]}" "${p99[0]}"
printf 'median, with 2,000 extra rules: %8.0f comments/s  p50 %5.1f µs  p99 %6.1f µs\n' "${rate[2000]}" "${p50[2000]}" "${p99[2000]}"
awk -v a="${rate[0]}" -v b="${rate[2000]}" 'BEGIN {printf "slowdown with 2,000 extra rules: %.2f×   (target ≤ 3×)\n", a / b}'
