"""Holds a secret string in a dict and a list, as a process with credentials would."""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targetlib

config = {"password": "hunter2-SECRET-" + "token", "user": "ada"}
history = ["hunter2-SECRET-" + "token" + "-old"]
targetlib.ready()
while True:
    time.sleep(0.5)
