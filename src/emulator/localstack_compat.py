"""LocalStack as a host process for the scones LocalStack tier (src/emulator/localstack.ts).

Run with the Python of .venv-localstack/ instead of `python -m localstack.runtime.main`. Neither
change below alters AWS behaviour (the LocalStack differences from AWS are in
docs/emulator-differences.md):
- SCONES_SFN_WAIT_SCALE=<factor> multiplies the waits of Step Functions `Retry` (IntervalSeconds,
  BackoffRate, MaxDelaySeconds, JitterStrategy as the ASL says), as MiniStack's SFN_WAIT_SCALE and
  the embedded engine's retryDelayMs do, so tests of retry paths do not sleep for seconds; the ASL
  keeps its real intervals.
- SCONES_LOCALSTACK_CACHE=<dir>: LocalStack indexes every AWS service specification on its first
  request (about 7 s here) and keeps the index in its cache folder, which is a fresh scratch folder
  per run; the index is built once into <dir> and offered to each run as a prebuilt static file.

- SCONES_SFN_MOCKED_SYNC=1: a `.sync` Task of an optimized integration LocalStack does not run
  (SageMaker's createTrainingJob.sync) answers from the mock configuration when its execution is
  mocked, as AWS's mocked service integrations answer any integration; unmocked, LocalStack
  refuses it as before ("Unsupported .sync callback procedure"). This fixes a LocalStack
  difference (docs/emulator-differences.md, LocalStack 5) for mocked test cases only.

- JSONata without a JVM (always): LocalStack evaluates the JSONata of Step Functions with dashjoin's
  jsonata-java in a JVM, and on first use downloads Java 21 (api.adoptium.net) and the jars (Maven
  Central); neither is reachable from these machines (npm, PyPI and Debian only), so every JSONata
  state failed with "Installation of java 21 failed". jsonata-python (PyPI, Apache-2.0) is a port of
  that same jsonata-java: LocalStack hands it the same self-contained expression string (its
  variables and $states written in as JSONata bindings) and gets JSON back as from the JVM.

A patch whose target code is no longer found fails the start loudly: LocalStack changed.
"""

import inspect
import os
import time


class ShimOutdated(RuntimeError):
    pass


def scale_retry_waits(scale):
    """Retry waits of the Step Functions interpreter times `scale`."""
    from localstack.services.stepfunctions.asl.component.common.retry import retrier_decl

    if "time.sleep(interval_seconds)" not in inspect.getsource(retrier_decl.RetrierDecl._eval_body):
        raise ShimOutdated("retrier wait: expected time.sleep(interval_seconds) in RetrierDecl._eval_body")

    class ScaledTime:
        """The `time` module as the retrier module sees it, with a scaled sleep."""

        def __getattr__(self, name):
            return getattr(time, name)

        @staticmethod
        def sleep(seconds):
            time.sleep(seconds * scale)

    retrier_decl.time = ScaledTime()


def reuse_service_catalog(cache_dir):
    """The service-catalog index from `cache_dir` (built there once), where LocalStack looks first."""
    from localstack import config
    from localstack.aws import spec

    name = spec._get_catalog_filename()  # names LocalStack's and botocore's versions
    shared = os.path.join(cache_dir, name)
    if not os.path.exists(shared):
        os.makedirs(cache_dir, exist_ok=True)
        building = f"{shared}.{os.getpid()}.tmp"
        spec.build_service_index_cache(building)
        os.replace(building, shared)  # atomic: parallel first runs never read a partial file
    os.makedirs(config.dirs.static_libs, exist_ok=True)
    os.symlink(shared, os.path.join(config.dirs.static_libs, name))


def serve_mocked_sync_tasks():
    """Mocked executions skip the refusal of `.sync` on integrations LocalStack does not run."""
    import threading

    from localstack.services.stepfunctions.asl.component.state.state_execution.state_task.service import (
        state_task_service_callback as callback,
    )
    from localstack.services.stepfunctions.asl.component.state.state_execution.state_task.service import (
        state_task_service_unsupported as unsupported,
    )

    # The refusal is the assertion in the callback service's body; a mocked execution then takes the
    # mocked response and skips the integration pattern (`_after_eval_execution`): check both.
    body = inspect.getsource(callback.StateTaskServiceCallback._eval_body)
    after = inspect.getsource(callback.StateTaskServiceCallback._after_eval_execution)
    if "self._assert_integration_pattern_is_supported()" not in body or "is_local_mocked_mode" not in after:
        raise ShimOutdated("mocked .sync: StateTaskServiceCallback no longer asserts, or no longer skips mocked patterns")

    mocked = threading.local()
    eval_body = callback.StateTaskServiceCallback._eval_body
    assert_supported = callback.StateTaskServiceCallback._assert_integration_pattern_is_supported

    def _eval_body(self, env):
        mocked.on = env.is_local_mocked_mode()
        try:
            return eval_body(self, env)
        finally:
            mocked.on = False

    def _assert_integration_pattern_is_supported(self):
        if getattr(mocked, "on", False):
            return None
        return assert_supported(self)

    unsupported.StateTaskServiceUnsupported._eval_body = _eval_body
    unsupported.StateTaskServiceUnsupported._assert_integration_pattern_is_supported = (
        _assert_integration_pattern_is_supported
    )


def evaluate_jsonata_in_python():
    """LocalStack's JSONata evaluation through jsonata-python instead of jsonata-java in a JVM."""
    import json

    import jsonata as jsonata_python

    from localstack.services.stepfunctions.asl.jsonata import jsonata as module

    if not hasattr(module, "_eval_jsonata") or not hasattr(module, "JSONataException"):
        raise ShimOutdated("localstack.services.stepfunctions.asl.jsonata.jsonata has no _eval_jsonata")

    def eval_jsonata(expression):
        try:
            value = jsonata_python.Jsonata(expression).evaluate(None)
        except Exception as error:  # the JVM bridge wraps every failure alike
            raise module.JSONataException("UNKNOWN", str(error))
        # As the JVM bridge: plain JSON values out (undefined and null both come back as None).
        return json.loads(json.dumps(value))

    module._eval_jsonata = eval_jsonata


if __name__ == "__main__":
    evaluate_jsonata_in_python()
    wait_scale = os.environ.get("SCONES_SFN_WAIT_SCALE", "")
    if wait_scale:
        scale_retry_waits(float(wait_scale))
    if os.environ.get("SCONES_SFN_MOCKED_SYNC") == "1":
        serve_mocked_sync_tasks()
    catalog_cache = os.environ.get("SCONES_LOCALSTACK_CACHE", "")
    if catalog_cache:
        reuse_service_catalog(catalog_cache)

    from localstack.runtime import main

    main.main()
