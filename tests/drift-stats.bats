#!/usr/bin/env bats
# drift-stats.bats - sluice-drift's statistics: small cases computed by hand,
# and generated data checked against scipy.stats (exact agreement while the
# sketches hold every value, within their stated error beyond).

load lib

# A python3 that has scipy (Debian's python3-scipy), or skip.
need_scipy() {
	PY=
	for p in /usr/bin/python3 python3; do
		if command -v "$p" >/dev/null && "$p" -c 'import scipy, numpy' 2>/dev/null; then
			PY=$p
			break
		fi
	done
	[ -n "$PY" ] || skip "no python3 with scipy"
}

# jsonl NAME: stdin (JSON Lines) into NAME.warc.
jsonl() {
	sluice-ingest -f jsonl >"$1.warc"
}

# compare BASE CUR: profile BASE.warc, compare CUR.warc, report in r.json.
compare() {
	sluice-drift -s "$1.prof" <"$1.warc" >/dev/null
	sluice-drift -q -b "$1.prof" -r r.json "$2.warc" >/dev/null || true
}

# near GOT WANT TOLERANCE: |GOT - WANT| <= TOLERANCE.
near() {
	awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }'
}

@test "hand-computed: wasserstein_norm, ks_d, psi" {
	problems=()
	# base, current, field stat, expected (4 decimals)
	while read -r base cur stat want; do
		printf '{"v":%s}\n' ${base//,/ } | jsonl b
		printf '{"v":%s}\n' ${cur//,/ } | jsonl c
		compare b c
		got=$(jq ".fields.v.stats.$stat" r.json)
		near "$got" "$want" 0.00005 || problems+=("$base vs $cur: $stat $got, want $want")
	done <<-'EOF'
	0,1 1,2 wasserstein_norm 2
	0,1 0,1 wasserstein_norm 0
	1,2,3,4 3,4,5,6 wasserstein_norm 1.7889
	1,2,3,4 3,4,5,6 ks_d 0.5
	1,2,3,4 1,2,3,4 ks_d 0
	1,2,3,4 10,11 ks_d 1
	5,5,5 5,6,7 wasserstein_norm 1
	1,2,3,4,5,6,7,8,9,10 1,2,3,4,5,6,7,8,9,10 psi 0
	1,2,3,4,5,6,7,8,9,10 10,10,10,10,10,10,10,10,10,10 psi 8.2831
	EOF
	fail_all
}

@test "hand-computed: js_distance, linf, chi2_p, unseen share" {
	problems=()
	while read -r base cur stat want; do
		printf '{"c":"%s"}\n' ${base//,/ } | jsonl b
		printf '{"c":"%s"}\n' ${cur//,/ } | jsonl c
		compare b c
		got=$(jq ".fields.c.stats.$stat" r.json)
		near "$got" "$want" 0.00005 || problems+=("$base vs $cur: $stat $got, want $want")
	done <<-'EOF'
	a,b a,a js_distance 0.5579
	a,b a,a linf 0.5
	a,b a,a chi2_p 0.2482
	a,b a,b js_distance 0
	a,b a,b chi2_p 1
	a a js_distance 0
	a b js_distance 1
	a,a,b,b a,b,c,d unseen_share 0.5
	a,a,b,b a,b,c,d linf 0.25
	EOF
	fail_all
}

@test "exact agreement with scipy while the sketches hold every value" {
	need_scipy
	"$PY" - <<-'EOF'
	import json, random
	r = random.Random(7)
	for name, mu, cats in (("b", 0.0, "abc"), ("c", 0.3, "abcd")):
	    with open(name + ".jsonl", "w") as f:
	        for i in range(190):
	            f.write(json.dumps({"x": round(r.gauss(mu, 1), 4), "k": r.randint(0, 50),
	                "c": r.choice(cats), "t": r.random() < 0.4}) + "\n")
	EOF
	jsonl b < b.jsonl
	jsonl c < c.jsonl
	compare b c
	run "$PY" - <<-'EOF'
	import json, numpy as np
	from scipy import stats
	from scipy.spatial.distance import jensenshannon
	B = [json.loads(l) for l in open("b.jsonl")]
	C = [json.loads(l) for l in open("c.jsonl")]
	r = json.load(open("r.json"))
	bad = []
	def check(field, stat, want, got, tol=1e-9):
	    if got is None or abs(got - want) > tol * max(1, abs(want)):
	        bad.append(f"{field}.{stat}: got {got}, scipy {want}")
	for f in ("x", "k"):
	    a = np.array([d[f] for d in B], float); b = np.array([d[f] for d in C], float)
	    s = r["fields"][f]["stats"]
	    if not s["sketch_exact"]:
	        bad.append(f + ": sketch not exact")
	    check(f, "wasserstein_norm", stats.wasserstein_distance(a, b) / a.std(), s["wasserstein_norm"])
	    ks = stats.ks_2samp(a, b, method="asymp")
	    check(f, "ks_d", ks.statistic, s["ks_d"])
	    check(f, "ks_p", ks.pvalue, s["ks_p"], 1e-6)
	    check(f, "ks_p_max", ks.pvalue, s["ks_p_max"], 1e-6)
	    check(f, "ks_d_error", 0, s["ks_d_error"])
	    check(f, "mean_current", b.mean(), s["mean_current"])
	    edges = np.quantile(a, np.arange(1, 10) / 10, method="inverted_cdf")
	    sh = lambda v: np.bincount(np.searchsorted(edges, v), minlength=10) / len(v)
	    pb, pc = sh(a), sh(b)
	    pb = np.where(pb == 0, 1e-4, pb); pc = np.where(pc == 0, 1e-4, pc)
	    check(f, "psi", float(np.sum((pc - pb) * np.log(pc / pb))), s["psi"])
	    check(f, "std_baseline", a.std(), s["std_baseline"])
	for f in ("c", "t"):
	    keys = sorted({str(d[f]) for d in B + C})
	    p = [sum(str(d[f]) == k for d in B) for k in keys]
	    q = [sum(str(d[f]) == k for d in C) for k in keys]
	    s = r["fields"][f]["stats"]
	    check(f, "js_distance", jensenshannon(p, q, base=2), s["js_distance"])
	    P = np.array(p) / sum(p); Q = np.array(q) / sum(q)
	    check(f, "linf", abs(P - Q).max(), s["linf"])
	    check(f, "chi2_p", stats.chi2_contingency([p, q], correction=False)[1], s["chi2_p"], 1e-6)
	print("\n".join(bad))
	sys_exit = 1 if bad else 0
	raise SystemExit(sys_exit)
	EOF
	[ "$status" -eq 0 ] || fail "$output"
}

@test "within the sketch's stated error beyond it (20,000 values)" {
	need_scipy
	"$PY" - <<-'EOF'
	import json, random
	r = random.Random(11)
	for name, mu in (("b", 0.0), ("c", 0.2)):
	    with open(name + ".jsonl", "w") as f:
	        for i in range(20000):
	            f.write('{"x":%.5f}\n' % r.gauss(mu, 1))
	EOF
	jsonl b < b.jsonl
	jsonl c < c.jsonl
	compare b c
	run "$PY" - <<-'EOF'
	import json, numpy as np
	from scipy import stats
	a = np.loadtxt("b.jsonl", converters={0: lambda s: float(s[5:-1])}, dtype=float)
	b = np.loadtxt("c.jsonl", converters={0: lambda s: float(s[5:-1])}, dtype=float)
	s = json.load(open("r.json"))["fields"]["x"]["stats"]
	eps = s["rank_error"]
	bad = []
	if s["sketch_exact"] or not 0 < eps < 0.05:
	    bad.append(f"rank_error {eps}, exact {s['sketch_exact']}")
	ks = stats.ks_2samp(a, b, method="asymp")
	d = ks.statistic
	if abs(s["ks_d"] - d) > 2 * eps or s["ks_d_error"] < 2 * eps * 0.999:
	    bad.append(f"ks_d {s['ks_d']} vs {d}, eps {eps}, bound {s['ks_d_error']}")
	# the p-value tested is never smaller than the true one
	if s["ks_p_max"] < ks.pvalue:
	    bad.append(f"ks_p_max {s['ks_p_max']} below scipy's {ks.pvalue}")
	w = stats.wasserstein_distance(a, b) / a.std()
	span = (max(a.max(), b.max()) - min(a.min(), b.min())) / a.std()
	if abs(s["wasserstein_norm"] - w) > 2 * eps * span:
	    bad.append(f"wasserstein_norm {s['wasserstein_norm']} vs {w}")
	if abs(s["mean_baseline"] - a.mean()) > 1e-9 or abs(s["std_baseline"] - a.std()) > 1e-9:
	    bad.append("moments are not exact")
	print("\n".join(bad), s)
	raise SystemExit(1 if bad else 0)
	EOF
	[ "$status" -eq 0 ] || fail "$output"
}

@test "a drifted and an undrifted generated dataset" {
	need_scipy
	"$PY" - <<-'EOF'
	import json, random
	r = random.Random(3)
	def rows(name, n, mu, p_vip, segs):
	    with open(name + ".jsonl", "w") as f:
	        for i in range(n):
	            f.write(json.dumps({"income": round(r.lognormvariate(10.8 + mu, 0.5), 2),
	                "age": r.randint(18, 90), "score": round(r.gauss(0, 1), 3),
	                "segment": r.choices("ABCD", weights=segs)[0],
	                "vip": r.random() < p_vip}) + "\n")
	rows("base", 5000, 0, 0.1, (4, 3, 2, 1))
	rows("same", 5000, 0, 0.1, (4, 3, 2, 1))
	rows("drift", 5000, 0.3, 0.1, (1, 2, 3, 4))
	EOF
	for n in base same drift; do jsonl $n < $n.jsonl; done
	sluice-drift -s base.prof < base.warc > /dev/null
	run bash -c 'sluice-drift -q -b base.prof -r same.json same.warc > /dev/null'
	expect_status 0
	run bash -c 'sluice-drift -q -b base.prof -r drift.json drift.warc > /dev/null'
	expect_status 1
	run jq -c '[.drifted, .fields.income.stats.psi_band]' drift.json
	[ "$output" = '[["income","segment"],"significant"]' ] || fail "$output"
}
