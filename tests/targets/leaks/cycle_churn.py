"""Not a leak, but a busy collector: every request builds a small tree whose nodes point back at
their parent, then drops it. Reference counting cannot free the trees (parent <-> child cycles), so
the collector does, over and over: the report should show __main__.TreeNode as the cyclic garbage
and advise breaking the cycle (TreeNode.parent as a weak reference)."""
import leaklib


class TreeNode:
    def __init__(self, name, parent=None):
        self.name = name
        self.parent = parent  # the back reference that makes every tree a cycle
        self.children = []
        if parent is not None:
            parent.children.append(self)


def handle(rid):
    root = TreeNode("r%d" % rid)
    for i in range(4):
        child = TreeNode(i, root)
        for j in range(3):
            TreeNode(j, child)
    return root.name


if __name__ == "__main__":
    leaklib.serve(handle, rate=1500)
