"""For the scripts that put crafted packets on a device: they run only inside a network namespace that a
pilha test created (named pilha-*), so that nothing they send can reach any other network."""
import os
import subprocess
import sys


def require_pilha_namespace(script: str) -> None:
    namespace = subprocess.run(
        ["ip", "netns", "identify", str(os.getpid())], capture_output=True, text=True
    ).stdout.strip()
    if not namespace.startswith("pilha-"):
        sys.exit(f"{script}: refusing to run outside a pilha-* namespace (in '{namespace}')")
