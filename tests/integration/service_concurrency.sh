#!/usr/bin/env bash
# tests/integration/service_concurrency.sh: five clients at once against each --model with
# a per-message --delay: thread, fork and event serve them in parallel (one client's
# worth: 3 delays, or 4 where exit is delayed too), iterative one after another (15-20). Asserts iterative takes at
# least 3x as long as each parallel model, and that every client got all its replies.
source "$(dirname "$0")/../lib/common.sh"
source "$HELLO_ROOT/tests/peers/service_lib.sh"
svc_setup "$@"

DELAY=${SVC_DELAY_MS:-200}
CLIENTS=5

# run_model MODEL: sets RM_MS (wall time in ms for CLIENTS parallel clients) and RM_OK
# (how many clients exited 0 with their last reply).
run_model() {
	local model=$1 i t0 t1 pids=() ok=0
	svc_tcp_server "$T/s-$model.log" --model "$model" --delay "$DELAY" --backlog 16 ||
		{ t_fail "$model: server listens"; RM_MS=0 RM_OK=0; return; }
	t0=$(date +%s%N)
	for i in $(seq 1 $CLIENTS); do
		svc_run "$T/c-$model-$i.out" "$TCPC" --port "$PORT" "a$i" "b$i" "c$i" &
		pids+=($!)
	done
	for i in $(seq 1 $CLIENTS); do
		wait "${pids[$((i - 1))]}" &&
			grep -qF "Hello, c$i!" "$T/c-$model-$i.out" && ok=$((ok + 1))
	done
	t1=$(date +%s%N)
	t_stop "$SVC_SERVER_PID"
	RM_MS=$(( (t1 - t0) / 1000000 )) RM_OK=$ok
}

# max_open LOG: the most connections the server had open at once, from its log's
# accept/close lines (written in the order they happened, one write(2) per line).
max_open() {
	awk '$3 == "accept" { n++; if (n > m) m = n } $3 == "close" { n-- } END { print m + 0 }' "$1"
}

declare -A MS
for model in thread fork event iterative; do
	run_model "$model"
	ms=$RM_MS ok=$RM_OK
	MS[$model]=$ms
	echo "  $model: $CLIENTS clients x 3 messages, --delay $DELAY: $ms ms"
	t_check "$model: all $CLIENTS clients got their replies" [ "$ok" = "$CLIENTS" ]
	open=$(max_open "$T/s-$model.log")
	if [ "$model" = iterative ]; then
		t_check "iterative: the log shows one connection at a time (max open $open)" [ "$open" = 1 ]
	else
		t_check "$model: the log shows all $CLIENTS connections open at once (max open $open)" \
			[ "$open" = "$CLIENTS" ]
	fi
done

# Each parallel model needs at least the 3 delays of one client, and finishing in under
# half the serial time shows the clients were not served one after another.
for model in thread fork event; do
	t_check "$model: at least 3 delays (${MS[$model]} ms >= $((3 * DELAY)))" \
		[ "${MS[$model]}" -ge $((3 * DELAY)) ]
	t_check "$model: iterative (${MS[iterative]} ms) >= 3 x $model (${MS[$model]} ms)" \
		[ "${MS[iterative]}" -ge $((3 * ${MS[$model]})) ]
done
t_check "iterative: at least 15 delays (${MS[iterative]} ms >= $((15 * DELAY)))" \
	[ "${MS[iterative]}" -ge $((15 * DELAY)) ]

t_done
