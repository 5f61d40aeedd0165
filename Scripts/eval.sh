#!/usr/bin/env bash
# Accuracy of the real pipeline (release build) on the development data in ../shared/data
# (or MODERATO_DATA): the YouTube Spam Collection (train on two videos, evaluate on the third, all
# three rotations, then --online over the three in order) and the Davidson hate/offensive set
# (--online: classes 0 and 1 unwanted). Prints every report and the targets.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${MODERATO_DATA:-../shared/data}
Scripts/bootstrap.sh
swift build -c release --product modctl >&2
modctl=.build/release/modctl
yt=$data/youtube-spam
columns=(--text-column CONTENT --label-column CLASS --unwanted-label 1 --author-column AUTHOR)
# Prints one run's figures, then what the best hold and reject thresholds would do with the same scores
# (chosen on the evaluated data itself, so a ceiling for tuning, not a result). $1: "davidson" for
# the recall / wanted-held view.
summary() {
  python3 -c '
import json, sys
d = json.load(sys.stdin); t = d["thresholds"]; davidson = sys.argv[1] == "davidson"
if davidson:
    w = d["confusion"]["wanted"]; n = sum(w.values())
    print("  recall %.3f  precision %.3f  wanted rejected %.1f%%  wanted held %.1f%%  unwanted approved %.1f%%  (%d comments, %d fed back)" % (
        d["recall"], d["precision"], 100 * w["rejected"] / n, 100 * w["held"] / n, 100 * d["unwanted_approved_rate"], d["rows"], d["feedback"]))
else:
    print("  F1 %.3f  precision %.3f  recall %.3f  wanted rejected %.1f%%  unwanted approved %.1f%%  held %.1f%%  (%d comments%s)" % (
        d["f1"], d["precision"], d["recall"], 100 * d["wanted_rejected_rate"], 100 * d["unwanted_approved_rate"], 100 * d["hold_rate"],
        d["rows"], ", %d fed back" % d["feedback"] if d["feedback"] else ""))
p = t.get("fewest_held") or t.get("fewest_unwanted_approved")
head = "  ceiling: scores separate the kinds with ROC AUC %.3f; " % t["auc"]
if not p:
    print(head + "no thresholds keep wanted rejected within %.1f%% (rule actions alone reject %.1f%%)" % (100 * t["limits"]["wanted_rejected_rate"], 100 * t["forced_wanted_rejected_rate"]))
else:
    where = "fewest held within the limits" if t.get("fewest_held") else "none within the limits; nearest"
    figures = ("recall %.3f  wanted rejected %.1f%%  wanted held %.1f%%" % (1 - p["unwanted_approved_rate"], 100 * p["wanted_rejected_rate"], 100 * p["wanted_held_rate"]) if davidson
               else "F1 %.3f  wanted rejected %.1f%%  unwanted approved %.1f%%  held %.1f%%" % (p["f1"], 100 * p["wanted_rejected_rate"], 100 * p["unwanted_approved_rate"], 100 * p["hold_rate"]))
    print(head + "%s: hold %g, reject %g: %s" % (where, p["hold"], p["reject"], figures))
' "${1:-youtube}"
}
echo "YouTube Spam Collection — targets: F1 ≥ 0.96, wanted rejected ≤ 0.5%, spam approved ≤ 3%, held ≤ 15%"
for rotation in "01-Psy 02-KatyPerry 03-LMFAO" "02-KatyPerry 01-Psy 03-LMFAO" "03-LMFAO 01-Psy 02-KatyPerry"; do
  set -- $rotation
  echo "evaluate $1, train on $2 and $3:"
  $modctl eval --csv "$yt/Youtube$1.csv" --train "$yt/Youtube$2.csv" --train "$yt/Youtube$3.csv" "${columns[@]}" --json --thresholds | summary
done
echo "online over the three videos in order (pre-moderating while the filter learns):"
$modctl eval --online --premoderate-while-learning --csv "$yt/Youtube01-Psy.csv" --csv "$yt/Youtube02-KatyPerry.csv" --csv "$yt/Youtube03-LMFAO.csv" "${columns[@]}" --json --thresholds | summary
echo
echo "Davidson hate/offensive (unwanted: classes 0 and 1), online — targets: recall ≥ 0.90, wanted rejected ≤ 1%, wanted held ≤ 10%"
$modctl eval --online --premoderate-while-learning --csv "$data/davidson-hate-offensive/dev.csv" --text-column tweet --label-column class \
  --unwanted-label 0 --unwanted-label 1 --json --thresholds --max-wanted-rejected 1 --max-unwanted-approved 10 | summary davidson
