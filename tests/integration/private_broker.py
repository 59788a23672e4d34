"""A private RabbitMQ node on this machine, for a test or bench that must restart a broker or set its limits.

The shared broker on 127.0.0.1:5672 (``rabbit@localhost``) is never touched: the private node has its
own node name (``hubtest-<random>@localhost``), AMQP and Erlang distribution ports (free ones, on
127.0.0.1), data, log and pid files in a temp directory, an empty plugin list (no management port),
its own config file, and its own Erlang cookie (a HOME of its own), so even a ``rabbitmqctl`` without
``-n`` could not reach the shared node from here. Only epmd (port 4369) is shared, as it must be.

    with PrivateBroker(config={"max_message_size": 1048576}) as broker:
        broker.url                    # amqp://guest:guest@127.0.0.1:<port>/%2F
        broker.restart()              # rabbitmqctl stop_app + start_app: durable quorum queues kept
        broker.stop_node(); broker.start_node()    # the whole Erlang node down and up again
        broker.ctl("list_queues")     # rabbitmqctl -n <node> ...
        broker.timings                # [(step, seconds)] of every start, stop and restart

    with PrivateCluster(3) as cluster:                # three such nodes, clustered (one cookie)
        cluster.url                   # every node's URL, comma-separated (HUB_AMQP_URL's list)
        cluster.nodes[0].kill()       # SIGKILL one node: the others carry on

Run as root (the RabbitMQ scripts in /usr/lib/rabbitmq/bin are called directly, not through the
wrapper that switches to the rabbitmq user). Leaving the ``with`` block (or ``close()``) always stops
the node (``rabbitmqctl stop``, then SIGKILL to the process group it was started in, by its id) and
removes its files, whatever happened inside. Starting a node takes several seconds here.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pika
import pytest
from pika.exceptions import AMQPError

RABBITMQ_BIN = Path(os.environ.get("HUB_TEST_RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))
SHARED_PORTS = {4369, 5672, 15672, 25672, 35672}


def free_port(low: int = 20000, high: int = 40000) -> int:
    """A TCP port nobody listens on now, from a range below the CLI's own dist ports (dist + 10000)."""
    for _ in range(200):
        port = secrets.randbelow(high - low) + low
        if port in SHARED_PORTS:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


def conf_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class BrokerError(RuntimeError):
    pass


class _Started:
    """A context that starts on entry (closing what a failed start left) and closes on exit."""

    def start(self):
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class PrivateBroker(_Started):
    """A second RabbitMQ node of this machine's installation (see the module's docstring)."""

    def __init__(self, config: dict | None = None, name: str | None = None, start_timeout: float = 90.0,
                 keep_files: bool = False, cookie: str | None = None) -> None:
        self.config = dict(config or {})
        self.cookie = cookie or secrets.token_hex(16).upper()     # a cluster's nodes share theirs
        self.nodename = f"{name or 'hubtest-' + secrets.token_hex(4)}@localhost"
        self.start_timeout, self.keep_files = start_timeout, keep_files
        self.port = free_port()
        self.dist_port = free_port()
        while self.dist_port == self.port:
            self.dist_port = free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"
        self.dir: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.timings: list[tuple[str, float]] = []

    # files and environment -------------------------------------------------------------------------

    def _prepare(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hub-private-broker-"))
        for sub in ("home", "mnesia", "log"):
            (self.dir / sub).mkdir()
        cookie = self.dir / "home" / ".erlang.cookie"
        cookie.write_text(self.cookie)
        cookie.chmod(0o400)
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq-env.conf").write_text("# the private node's own: nothing from /etc/rabbitmq\n")
        lines = [f"listeners.tcp.local = 127.0.0.1:{self.port}"]
        lines += [f"{key} = {conf_value(value)}" for key, value in self.config.items()]
        (self.dir / "rabbitmq.conf").write_text("\n".join(lines) + "\n")

    @property
    def env(self) -> dict[str, str]:
        d = self.dir
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.update({
            "HOME": str(d / "home"),
            "RABBITMQ_CONF_ENV_FILE": str(d / "rabbitmq-env.conf"),
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
            "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_PID_FILE": str(d / "node.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(d / "advanced.config"),    # absent: nothing from /etc
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        })
        return env

    # rabbitmqctl ------------------------------------------------------------------------------------

    def ctl(self, *args: str, timeout: float = 60.0, check: bool = True) -> str:
        """``rabbitmqctl -n <this node> ARGS``; its output (raises BrokerError on failure with ``check``)."""
        done = subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-q", "-n", self.nodename, *args],
                              env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise BrokerError(f"rabbitmqctl -n {self.nodename} {' '.join(args)}: exit {done.returncode}: "
                              f"{(done.stderr or done.stdout).strip()[-800:]}")
        return done.stdout

    def _timed(self, step: str, started: float) -> float:
        took = time.monotonic() - started
        self.timings.append((step, took))
        return took

    # lifecycle --------------------------------------------------------------------------------------

    def start(self) -> PrivateBroker:
        """Create the files and start the node; returns once AMQP answers (guest on 127.0.0.1)."""
        if self.dir is None:
            self._prepare()
        self.start_node()
        return self

    def start_node(self) -> float:
        """Start the Erlang node (after ``stop_node``, with the same data): seconds until AMQP answers."""
        if self.proc is not None and self.proc.poll() is None:
            raise BrokerError(f"{self.nodename} is already running (pid {self.proc.pid})")
        started = time.monotonic()
        self._log = open(self.dir / "log" / "console.log", "ab")
        self.proc = subprocess.Popen([str(RABBITMQ_BIN / "rabbitmq-server")], env=self.env, cwd=str(self.dir),
                                     stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self._await_amqp(started)
        return self._timed("start_node", started)

    def stop_node(self, timeout: float = 60.0) -> float:
        """Stop the whole Erlang node (``rabbitmqctl stop``, waiting for the process to end)."""
        started = time.monotonic()
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.ctl("stop", timeout=timeout)
            except (BrokerError, subprocess.TimeoutExpired):
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._kill_group()
        self._kill_group()                 # whatever is left of its process group (epmd is not in it)
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None
        return self._timed("stop_node", started)

    def restart(self) -> float:
        """Stop and start the RabbitMQ application inside the running node (``stop_app`` +
        ``start_app``): every connection is closed, durable queues and their messages stay.
        Seconds from the stop until AMQP answers again."""
        started = time.monotonic()
        self.ctl("stop_app")
        stopped = self._timed("stop_app", started)
        self.ctl("start_app", timeout=self.start_timeout)
        self._await_amqp(started)
        took = self._timed("restart", started)
        self.timings.append(("start_app", took - stopped))
        return took

    def join(self, other: PrivateBroker) -> float:
        """Make this (fresh) node a member of ``other``'s cluster (``stop_app``, ``reset``,
        ``join_cluster``, ``start_app``); both must share the Erlang cookie. Seconds until AMQP answers."""
        started = time.monotonic()
        self.ctl("stop_app")
        self.ctl("reset")
        self.ctl("join_cluster", other.nodename, timeout=self.start_timeout)
        self.ctl("start_app", timeout=self.start_timeout)
        self._await_amqp(started)
        return self._timed("join_cluster", started)

    def kill(self) -> None:
        """SIGKILL the node's processes (a crash: no goodbye to its peers or clients)."""
        started = time.monotonic()
        self._kill_group()
        self._timed("kill", started)

    def close(self) -> None:
        """Stop the node and remove its files (keeps them with ``keep_files``); safe to call twice."""
        try:
            if self.proc is not None:
                self.stop_node(timeout=30)
        finally:
            self.proc = None
            if self.dir is not None and not self.keep_files:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None

    def _kill_group(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)     # the session it was started in, by its id
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def _await_amqp(self, started: float) -> None:
        """Until a guest connection opens on the node's port; fails early if the node process died."""
        deadline = started + self.start_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise BrokerError(f"{self.nodename} exited with {self.proc.returncode} while starting: "
                                  f"{self.log_tail()}")
            try:
                params = pika.URLParameters(self.url)
                params.connection_attempts, params.socket_timeout, params.blocked_connection_timeout = 1, 2, 5
                pika.BlockingConnection(params).close()
                return
            except (AMQPError, OSError) as exc:
                last = exc
                time.sleep(0.2)
        raise BrokerError(f"{self.nodename} did not answer on port {self.port} within {self.start_timeout:.0f} s "
                          f"({last!r}): {self.log_tail()}")

    def log_tail(self, chars: int = 2000) -> str:
        if self.dir is None:
            return ""
        texts = []
        for path in sorted((self.dir / "log").glob("*")):
            try:
                texts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-chars:]}")
            except OSError:
                pass
        return "\n".join(texts)[-2 * chars:]

    # conveniences for tests ---------------------------------------------------------------------------

    def queue_depth(self, queue: str) -> int:
        connection = pika.BlockingConnection(pika.URLParameters(self.url))
        try:
            return connection.channel().queue_declare(queue, passive=True).method.message_count
        finally:
            connection.close()

    def pids(self) -> list[int]:
        """The node's OS processes (its process group)."""
        if self.proc is None:
            return []
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == self.proc.pid:
                    found.append(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        return found


class PrivateCluster(_Started):
    """``size`` private nodes (see ``PrivateBroker``) clustered: one shared Erlang cookie, node names
    ``hubtest-<random>-<i>@localhost``, each its own ports and data. The nodes start side by side, then
    nodes 1.. join node 0. Leaving the ``with`` block stops every node and removes their files."""

    def __init__(self, size: int = 3, config: dict | None = None, start_timeout: float = 120.0) -> None:
        cookie, base = secrets.token_hex(16).upper(), f"hubtest-{secrets.token_hex(3)}"
        self.nodes: list[PrivateBroker] = []
        ports: set[int] = set()
        for i in range(size):
            node = PrivateBroker(config, name=f"{base}-{i}", start_timeout=start_timeout, cookie=cookie)
            while {node.port, node.dist_port} & ports:             # free_port is random: no two nodes alike
                node.port, node.dist_port = free_port(), free_port()
                node.url = f"amqp://guest:guest@127.0.0.1:{node.port}/%2F"
            ports |= {node.port, node.dist_port}
            self.nodes.append(node)
        self.timings: list[tuple[str, float]] = []

    @property
    def url(self) -> str:
        """Every node's URL in order, comma-separated: HUB_AMQP_URL for the whole cluster."""
        return ",".join(node.url for node in self.nodes)

    def url_from(self, first: int) -> str:
        """The same list starting at node ``first`` (a client that should not sit on node 0)."""
        order = self.nodes[first:] + self.nodes[:first]
        return ",".join(node.url for node in order)

    def start(self) -> PrivateCluster:
        started = time.monotonic()
        errors: list[BaseException] = []

        def start(node: PrivateBroker) -> None:
            try:
                node.start()
            except BaseException as exc:      # noqa: BLE001 - raised below, in the caller's thread
                errors.append(exc)
        threads = [threading.Thread(target=start, args=(node,)) for node in self.nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        self.timings.append(("start_nodes", time.monotonic() - started))
        for node in self.nodes[1:]:
            node.join(self.nodes[0])
        running = json.loads(self.nodes[0].ctl("cluster_status", "--formatter", "json"))["running_nodes"]
        if sorted(running) != sorted(node.nodename for node in self.nodes):
            raise BrokerError(f"the cluster runs {running}, not all of {[node.nodename for node in self.nodes]}")
        self.timings.append(("start_cluster", time.monotonic() - started))
        return self

    def close(self) -> None:
        """Stop every node still running and remove their files; safe to call twice."""
        started = time.monotonic()
        threads = [threading.Thread(target=node.close) for node in self.nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.timings.append(("stop_cluster", time.monotonic() - started))


__all__ = ["BrokerError", "PrivateBroker", "PrivateCluster", "free_port"]


needs_rabbitmq_server = pytest.mark.skipif(
    shutil.which("rabbitmq-server") is None and os.environ.get("CI") != "true",
    reason="RabbitMQ is not installed here (with CI=true these tests run, and fail without it)")
"""For tests that start a private node: skipped on a developer's machine without RabbitMQ, never in CI."""
