"""Main thread blocked in socket.accept(); answers each connection with its status."""
import json, os, socket, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(4)
sys.stdout.write("PORT %d\n" % srv.getsockname()[1])
targetlib.ready()
n = 0
while True:
    conn, _ = srv.accept()
    n += 1
    targetlib.churn(50)
    with conn:
        conn.sendall(b"pong %d\n" % n)
    targetlib.status(n=n)
