#!/usr/bin/env bash
# tests/integration/service_concurrency.sh: five clients at once against each --model with
# a per-message --delay: thread, fork and event serve them in parallel (one client's
# worth: 4 delays, exit's included), iterative one after another (20). Each model's five
# clients are held against the shortest of the same five, all connected at the same
# moment, so a slow, sanitized or busy machine slows both sides alike (a client alone,
# measured a few seconds earlier, once saw a busier moment than the five it was held
# against); the server's log shows how many were open at once.
source "$(dirname "$0")/../lib/common.sh"
source "$HELLO_ROOT/tests/peers/service_lib.sh"
svc_setup "$@"

DELAY=${SVC_DELAY_MS:-200}
CLIENTS=5

# conn_ms OUT: how long a client (-v) was connected, in ms: from its "connect" log line to
# its "close" line. Its own start-up is not in it, which under a sanitizer on a busy
# machine is longer than the whole exchange.
conn_ms() {
	awk '$3 == "connect" { a = $1 } $3 == "close" { b = $1 }
	     function ms(t) { split(substr(t, 12, 15), h, ":"); return (h[1] * 3600 + h[2] * 60 + h[3]) * 1000 }
	     END { if (!a || !b) { print -1; exit }
	           d = ms(b) - ms(a); if (d < 0) d += 86400000	# past midnight
	           printf "%d\n", d }' "$1"
}

# run_model MODEL [N]: N clients (default CLIENTS) at once; sets RM_MS (wall time in ms),
# RM_MAX and RM_MIN (the longest and shortest any client was connected, ms) and RM_OK (how
# many exited 0 with their last reply).
run_model() {
	local model=$1 n=${2:-$CLIENTS} i t0 t1 pids=() ok=0 c max=0 min=-1
	svc_tcp_server "$T/s-$model-$n.log" --model "$model" --delay "$DELAY" --backlog 16 ||
		{ t_fail "$model: server listens"; RM_MS=0 RM_MAX=0 RM_MIN=0 RM_OK=0; return; }
	t0=$(date +%s%N)
	for i in $(seq 1 "$n"); do
		svc_run "$T/c-$model-$n-$i.out" "$TCPC" -v --port "$PORT" "a$i" "b$i" "c$i" &
		pids+=($!)
	done
	for i in $(seq 1 "$n"); do
		wait "${pids[$((i - 1))]}" &&
			grep -qF "Hello, c$i!" "$T/c-$model-$n-$i.out" && ok=$((ok + 1))
		c=$(conn_ms "$T/c-$model-$n-$i.out")
		[ "$c" -gt "$max" ] && max=$c
		[ "$min" -lt 0 ] || [ "$c" -lt "$min" ] && min=$c
	done
	t1=$(date +%s%N)
	t_stop "$SVC_SERVER_PID"
	RM_MS=$(( (t1 - t0) / 1000000 )) RM_MAX=$max RM_MIN=$min RM_OK=$ok
}

# max_open LOG: the most connections the server had open at once, from its log's
# accept/close lines (written in the order they happened, one write(2) per line).
max_open() {
	awk '$3 == "accept" { n++; if (n > m) m = n } $3 == "close" { n-- } END { print m + 0 }' "$1"
}

declare -A MS MAX MIN
for model in thread fork event iterative; do
	run_model "$model"
	MS[$model]=$RM_MS MAX[$model]=$RM_MAX MIN[$model]=$RM_MIN
	echo "  $model: $CLIENTS clients x 3 messages, --delay $DELAY: $RM_MS ms; connected ${RM_MIN} to ${RM_MAX} ms"
	t_check "$model: all $CLIENTS clients got their replies" [ "$RM_OK" = "$CLIENTS" ]
	t_check "$model: the first served was connected at least its 3 delays (${RM_MIN} ms)" [ "$RM_MIN" -ge $((3 * DELAY)) ]
	open=$(max_open "$T/s-$model-$CLIENTS.log")
	if [ "$model" = iterative ]; then
		t_check "iterative: the log shows one connection at a time (max open $open)" [ "$open" = 1 ]
	else
		t_check "$model: the log shows all $CLIENTS connections open at once (max open $open)" \
			[ "$open" = "$CLIENTS" ]
	fi
done

# Served together, no client waits for another: each is connected about as long as the
# shortest of the five. Served one after another, the last waits for the four before it
# (about 5 x the first).
for model in thread fork event; do
	t_check "$model: each client connected under 2 x the shortest of the five (${MAX[$model]} < 2 x ${MIN[$model]} ms)" \
		[ "${MAX[$model]}" -lt $((2 * MIN[$model])) ]
done
t_check "iterative: the last client connected at least 3 x the first (${MAX[iterative]} >= 3 x ${MIN[iterative]} ms)" \
	[ "${MAX[iterative]}" -ge $((3 * MIN[iterative])) ]
t_check "iterative: at least 15 delays in all (${MS[iterative]} ms >= $((15 * DELAY)))" \
	[ "${MS[iterative]}" -ge $((15 * DELAY)) ]

t_done
