"""Leak: every new widget subscribes its bound method to a module-level event bus that is never
cleared. The culprit is the bound method objects (type `method`): their __self__ is a
__main__.Widget, which is what the report must name; the bus's list holds them all.
"""
import leaklib


class Widget:
    def __init__(self, rid):
        self.rid = rid
        self.state = {"rid": rid}

    def on_event(self, event):
        return self.rid, event


class EventBus:
    listeners = []  # the leak: subscribe, never unsubscribe

    @classmethod
    def subscribe(cls, callback):
        cls.listeners.append(callback)


def handle(rid):
    EventBus.subscribe(Widget(rid).on_event)


leaklib.serve(handle, rate=300)
