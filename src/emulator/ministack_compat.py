"""MiniStack with the scones compatibility shims, for the emulator test tier only.

Run with the project venv's Python instead of the `ministack` console script. Each shim makes
MiniStack behave as AWS documents, where the pinned MiniStack (requirements-emulators.txt)
does not; docs/emulator-differences.md lists them with their sources. The ASL and the Lambdas are
never changed for an emulator. A shim whose target code is no longer found fails the start
loudly: MiniStack changed, so check whether the difference is gone and drop the shim.

Set SCONES_MINISTACK_SHIMS=off to run MiniStack unchanged (to observe the differences).
"""

import inspect
import json
import os
import textwrap
from urllib.parse import quote


class ShimOutdated(RuntimeError):
    pass


def _replace_once(text, old, new, what):
    if text.count(old) != 1:
        raise ShimOutdated(f"{what}: expected code not found once in this MiniStack version")
    return text.replace(old, new)


# Source of each function redefined so far: `inspect` cannot read back a function compiled from a
# string, and two shims may change the same function in turn.
_REDEFINED_SOURCES = {}


def _redefine(module, function, replacements, owner=None):
    """Recompiles a function with source replacements: module-level in its module, or a method of
    the class `owner` (defined in `module`; a method that calls bare `super()` cannot be redefined
    this way). moto_compat.py uses it too."""
    key = (module.__name__, getattr(owner, "__name__", ""), function.__name__)
    source = _REDEFINED_SOURCES.get(key) or textwrap.dedent(inspect.getsource(function))
    for old, new, what in replacements:
        source = _replace_once(source, old, new, what)
    _REDEFINED_SOURCES[key] = source
    code = compile(source, inspect.getsourcefile(module) or module.__name__, "exec")
    if owner is None:
        exec(code, module.__dict__)
        return
    defined = {}
    exec(code, module.__dict__, defined)
    setattr(owner, function.__name__, defined[function.__name__])


def shim_lambda_error_type():
    """A Node function's error reaches Step Functions with its own name as errorType.

    AWS: the Node.js runtime reports `errorType` = the thrown error's name, `errorMessage` and a
    `trace` (stack lines); Step Functions matches Retry/Catch on that errorType and records the
    JSON of the error object as Cause. MiniStack 1.5.33's warm Node worker drops the name and
    reports every error as `Runtime.HandlerError` without trace.
    """
    from ministack.core import lambda_runtime
    from ministack.services import lambda_svc

    lambda_runtime._NODEJS_WORKER_SCRIPT = _replace_once(
        lambda_runtime._NODEJS_WORKER_SCRIPT,
        'status: "error", error: String(err.message || err), trace: err.stack || ""',
        'status: "error", error: String(err.message || err), trace: err.stack || "", '
        'errorType: (err && err.name) || "Error"',
        "node worker error report",
    )
    _redefine(
        lambda_svc,
        lambda_svc._execute_function_warm,
        [
            (
                'error_type = "Runtime.HandlerError"',
                'error_type = result.get("errorType") or "Runtime.HandlerError"',
                "warm executor error type",
            ),
            (
                '"errorType": error_type,',
                '"errorType": error_type, "trace": str(result.get("trace") or "").split("\\n"),',
                "warm executor error payload",
            ),
        ],
    )


def shim_result_selector_context_object():
    """A Task's ResultSelector resolves `$$` (Context Object) paths, in intrinsics too.

    AWS: ResultSelector is a Payload Template like Parameters, and Payload Templates resolve
    paths that begin with `$$` against the Context Object (States Language spec, "Payload
    Template"). MiniStack 1.5.33 applies ResultSelector without the Context Object, so
    `$$.Execution.Name` there yields null (the ASL's review item key came back "review/None.json").
    """
    from ministack.services import stepfunctions

    _redefine(
        stepfunctions,
        stepfunctions._apply_result_selector,
        [
            ("def _apply_result_selector(state_def, data):", "def _apply_result_selector(state_def, data, ctx=None):", "signature"),
            ("return _resolve_params_obj(sel, data)", "return _resolve_params_obj(sel, data, ctx)", "resolution"),
        ],
    )
    _redefine(
        stepfunctions,
        stepfunctions._execute_task,
        [
            (
                "result = _apply_result_selector(state_def, task_result)",
                "result = _apply_result_selector(state_def, task_result, ctx)",
                "task result selector",
            ),
        ],
    )


def shim_s3_put_object_integration():
    """`arn:aws:states:::aws-sdk:s3:putObject` stores the object, as on AWS.

    MiniStack 1.5.33's aws-sdk S3 dispatcher lacks PutObject and fails the task with
    States.Runtime. The shim sends the request to MiniStack's own S3 handler, with the JSON text
    of `Body` as AWS stores it: an object as compact JSON, a string as a quoted JSON string.
    """
    from ministack import app
    from ministack.services import stepfunctions

    original = stepfunctions._dispatch_aws_sdk_rest_xml
    execution_error = stepfunctions._ExecutionError

    def dispatch(service_info, service_name, action, input_data):
        if service_name != "s3" or action.lower() != "putobject":
            return original(service_info, service_name, action, input_data)
        bucket, key = input_data.get("Bucket"), input_data.get("Key")
        if not bucket or not key:
            raise execution_error("States.Runtime", "aws-sdk:s3:putObject needs Bucket and Key")
        body = input_data.get("Body")
        text = "" if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        payload = text.encode("utf-8")
        headers = {
            "host": f"s3.{stepfunctions.REGION}.amazonaws.com",
            "authorization": f"AWS4-HMAC-SHA256 Credential=test/20260101/{stepfunctions.REGION}/s3/aws4_request",
            "content-type": input_data.get("ContentType", "binary/octet-stream"),
            "content-length": str(len(payload)),
        }
        path = f"/{bucket}/{quote(key, safe='/')}"
        status, response_headers, response_body = app.call_service_handler_sync(
            app.SERVICE_HANDLERS["s3"], "PUT", path, headers, payload, {}
        )
        if status >= 400:
            raise execution_error("S3.S3Exception", (response_body or b"").decode("utf-8", "replace"))
        lowered = {name.lower(): value for name, value in (response_headers or {}).items()}
        return {"ETag": lowered.get("etag", "")}

    stepfunctions._dispatch_aws_sdk_rest_xml = dispatch


def shim_nested_start_execution_error_names():
    """A refused `states:startExecution` Task fails as `StepFunctions.<Code>Exception`, as on AWS.

    AWS names the optimized integration's StartExecution errors `StepFunctions.` + the API's error
    code + `Exception` (e.g. `StepFunctions.ExecutionAlreadyExistsException`, Cause
    "<message> (Service: AWSStepFunctions; Status Code: 400; Error Code: <code>; ...)"), as
    LocalStack's snapshot tests recorded on AWS. MiniStack 1.5.33 fails the Task with the bare API
    code (`ExecutionAlreadyExists`), so the intake's Catch never matches a duplicate.
    """
    import uuid

    from ministack.services import stepfunctions

    def refusal(payload):
        code = payload.get("__type") or "States.Runtime"
        message = payload.get("message", "Nested execution failed to start")
        if code.startswith("States.") or "." in code:
            return stepfunctions._ExecutionError(code, message)
        return stepfunctions._ExecutionError(
            f"StepFunctions.{code}Exception",
            f"{message} (Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; "
            f"Request ID: {uuid.uuid4()}; Proxy: null)",
        )

    stepfunctions._scones_start_refusal = refusal
    raised = (
        "        raise _ExecutionError(\n"
        '            payload.get("__type", "States.Runtime"),\n'
        '            payload.get("message", "Nested execution failed to start"),\n'
        "        )\n"
    )
    for function in (
        stepfunctions._invoke_nested_start_execution,
        stepfunctions._invoke_nested_start_execution_sync,
    ):
        _redefine(
            stepfunctions,
            function,
            [(raised, "        raise _scones_start_refusal(payload)\n", f"{function.__name__} refusal")],
        )


def shim_start_execution_idempotent_while_running():
    """StartExecution of a Standard workflow is idempotent for the same name and input while it runs.

    AWS (StartExecution API reference): with the name of an open execution and the same input,
    StartExecution returns that execution ("Executions with the same name and input are considered
    idempotent"); with another input, or once the execution closed, ExecutionAlreadyExists.
    MiniStack 1.5.33 refuses every reuse of a name, so a duplicate event delivered while the first
    classification runs failed the intake instead of finding that execution.
    """
    from ministack.services import stepfunctions

    def running_duplicate(exec_arn, sm, input_str):
        existing = stepfunctions._executions.get(exec_arn)
        if (
            existing
            and sm.get("type", "STANDARD") == "STANDARD"
            and existing.get("status") == "RUNNING"
            and existing.get("input") == input_str
        ):
            return stepfunctions.json_response(
                {"executionArn": exec_arn, "startDate": existing["startDate"]}
            )
        return None

    stepfunctions._scones_running_duplicate = running_duplicate
    _redefine(
        stepfunctions,
        stepfunctions._start_execution,
        [
            (
                "    # Reject duplicate execution names\n    if exec_arn in _executions:\n",
                "    # Reject duplicate execution names (scones shim: same name and input while running is\n"
                "    # that execution)\n"
                "    duplicate = _scones_running_duplicate(exec_arn, sm, data.get(\"input\", \"{}\"))\n"
                "    if duplicate is not None:\n"
                "        return duplicate\n"
                "    if exec_arn in _executions:\n",
                "duplicate name check",
            ),
        ],
    )


class MockedResponseMissing(RuntimeError):
    """Not an _ExecutionError, so no Retry or Catch sees it: the execution fails (States.Runtime)."""


def shim_mock_config_per_invocation():
    """Each invocation of a mocked Task state takes the mocked response of its own number.

    AWS (Step Functions Local's mock configuration, "Using mocked service integrations"): a mocked
    state counts its invocations in the execution, retries included (`"0"`, `"1-2"`, ...); a
    mocked `Throw` goes through Retry and Catch; an invocation without a mocked response fails the
    execution. MiniStack 1.5.33 looks the mock up once, when it enters the state: a `Throw`
    repeats on every retry whatever the later keys say (an endpoint that recovers on the third call
    never does), and a mocked `Return` skips ResultSelector's Context Object and the task events.
    """
    from ministack.services import stepfunctions

    def mocked_invocation(execution, ctx):
        """[result] of this invocation's mocked response (raising its Throw); None if not mocked."""
        config = stepfunctions._sfn_mock_config
        test_case = (execution or {}).get("testCase") or ""
        if not config or not test_case:
            return None
        machine = ctx.get("StateMachine", {}).get("Name", "")
        state = ctx.get("State", {}).get("Name", "")
        cases = config.get("StateMachines", {}).get(machine, {}).get("TestCases", {})
        response_name = cases.get(test_case, {}).get(state)
        if not response_name:
            return None
        attempts = execution.setdefault("mockAttempts", {})
        invocation = attempts.get(state, 0)
        attempts[state] = invocation + 1
        mock = stepfunctions._get_mock_response(machine, test_case, state, invocation)
        if mock is None:
            raise MockedResponseMissing(
                f"No mocked response for state '{state}' ({response_name}) at invocation {invocation}"
            )
        if "Throw" in mock:
            throw = mock["Throw"]
            raise stepfunctions._ExecutionError(throw.get("Error", "MockError"), throw.get("Cause", ""))
        return [mock.get("Return")]

    stepfunctions._scones_mocked_invocation = mocked_invocation
    _redefine(
        stepfunctions,
        stepfunctions._execute_task,
        [
            (
                "        mock = _get_mock_response(sm_name, test_case, state_name, attempt)\n",
                "        mock = None  # scones shim: looked up per invocation, in the attempt loop\n",
                "mock lookup on state entry",
            ),
            (
                "            if _mock_throw is not None:\n                raise _mock_throw\n\n"
                "            if is_callback:\n",
                "            mocked = _scones_mocked_invocation(execution, ctx)\n"
                "            if mocked is not None:\n                task_result = mocked[0]\n"
                "            elif is_callback:\n",
                "per-attempt task invocation",
            ),
        ],
    )


def limit_concurrent_lambda_invocations():
    """Host capacity, not AWS behaviour: with SCONES_MINISTACK_LAMBDA_SLOTS=N, at most N Lambda
    invocations run at once; the others wait for a slot (up to 10 minutes) instead of running.

    MiniStack gives every concurrent invocation its own Node process, as AWS gives it its own
    execution environment; AWS runs them on its fleet, MiniStack on this machine. 200 executions
    started by a burst of uploads then start over 100 Node processes with sharp on 2 cores, and
    the Lambdas time out waiting for CPU. Waiting for a slot keeps the burst's executions and
    their order intact (nothing is throttled or lost; the wait is outside the function's timeout).
    Off unless the variable is set; a function that invokes itself synchronously could wait on its
    own slot, which the kit's Lambdas never do.
    """
    slots = int(os.environ.get("SCONES_MINISTACK_LAMBDA_SLOTS", "0") or "0")
    if slots <= 0:
        return
    import threading

    from ministack.services import lambda_svc

    acquire, release = lambda_svc._acquire_execution_slot, lambda_svc._release_execution_slot
    free = threading.BoundedSemaphore(slots)

    def acquire_when_free(func, config):
        if not free.acquire(timeout=600):
            return None, "account"
        key, limit = acquire(func, config)
        if key is None:
            free.release()
        return key, limit

    def release_slot(key):
        release(key)
        if key is not None:
            free.release()

    lambda_svc._acquire_execution_slot = acquire_when_free
    lambda_svc._release_execution_slot = release_slot


SHIMS = [
    shim_lambda_error_type,
    shim_s3_put_object_integration,
    shim_result_selector_context_object,
    shim_mock_config_per_invocation,
    shim_nested_start_execution_error_names,
    shim_start_execution_idempotent_while_running,
]

if __name__ == "__main__":
    from ministack import app

    if os.environ.get("SCONES_MINISTACK_SHIMS", "on") != "off":
        for shim in SHIMS:
            shim()
    limit_concurrent_lambda_invocations()
    app.main()
