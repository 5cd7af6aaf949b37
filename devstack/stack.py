"""Herald wired to the provider simulator on 127.0.0.1: the ports, the environment and the group of processes that
`make run`, `make bench` and the whole-stack tests start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from devstack import ROOT, processes
from devstack.group import ProcessGroup
from devstack.network import free_port
from devstack.processes import ProcessSpec
from devstack.wiring import stack_environment


class LocalStack:
    """The API on ``api_port`` and the simulator on ``simulator_port`` (free ports when not given), every process
    with `stack_environment` (``base``: os.environ when not given; ``settings`` override the wiring)."""

    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str,
        log_dir: Path | None = None,
        api_port: int | str | None = None,
        simulator_port: int | str | None = None,
        base: Mapping[str, str] | None = None,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.api_port = int(api_port or free_port())
        self.simulator_port = int(simulator_port or free_port())
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.simulator_url = f"http://127.0.0.1:{self.simulator_port}"
        self.log_dir = log_dir
        self.environment = stack_environment(
            database_url=database_url,
            redis_url=redis_url,
            api_port=self.api_port,
            simulator_port=self.simulator_port,
            base=os.environ if base is None else base,
            settings=settings or {},
        )
        self.group = ProcessGroup(self.environment, log_dir=log_dir)

    def api(self) -> ProcessSpec:
        return processes.api(self.api_port)

    def simulator(self) -> ProcessSpec:
        return processes.simulator(self.simulator_port)

    def beat(self) -> ProcessSpec:
        """Beat, its schedule state beside the logs (or in .data when the processes write to the terminal)."""
        return processes.beat((self.log_dir or ROOT / ".data") / "celerybeat-schedule")

    def stop(self, *names: str) -> None:
        """Stop the named processes, or all of them when none is named."""
        self.group.stop(*names)

    def logs(self) -> str:
        return self.group.logs()
