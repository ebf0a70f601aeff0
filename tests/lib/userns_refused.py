# tests/lib/userns_refused.py PROGRAM ARGS...: runs PROGRAM as uid/gid 65534 where the kernel gives it no user namespace.
# As root: a user namespace of our own mapping 0 and 65534, its max_user_namespaces set to 0,
# then uid 65534 inside: unshare(CLONE_NEWUSER) fails there as on a kernel that forbids it.
# Exits with the program's status (126 when the set-up failed).
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r, w = os.pipe()
r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r); os.close(w2)
    if libc.unshare(0x10000000) != 0:
        print("unshare: " + os.strerror(ctypes.get_errno()), file=sys.stderr); os._exit(126)
    os.write(w, b"x")
    if os.read(r2, 1) != b"x":
        os._exit(126)
    with open("/proc/sys/user/max_user_namespaces", "w") as f:
        f.write("0")
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
    os.execv(sys.argv[1], sys.argv[1:])
os.close(w); os.close(r2)
os.read(r, 1)
for m in ("uid_map", "gid_map"):
    with open("/proc/%d/%s" % (pid, m), "w") as f:
        f.write("0 0 1\n65534 65534 1\n")
os.write(w2, b"x")
st = os.waitpid(pid, 0)[1]
sys.exit(os.waitstatus_to_exitcode(st))
