"""MiniStack with the scones compatibility shims, for the emulator test tier only.

Run with the project venv's Python instead of the `ministack` console script. Each shim makes
MiniStack behave as AWS documents, where the pinned MiniStack (requirements-emulators.txt)
does not; docs/emulator-differences.md lists them with their sources. The ASL and the Lambdas are
never changed for an emulator. A shim whose target code is no longer found fails the start
loudly: MiniStack changed, so check whether the difference is gone and drop the shim.

Set SCONES_MINISTACK_SHIMS=off to run MiniStack unchanged (to observe the differences).
"""

import inspect
import os
import textwrap
from urllib.parse import quote


class ShimOutdated(RuntimeError):
    pass


def _replace_once(text, old, new, what):
    if text.count(old) != 1:
        raise ShimOutdated(f"{what}: expected code not found once in this MiniStack version")
    return text.replace(old, new)


def _redefine(module, function, replacements):
    """Recompiles a module-level function of MiniStack with source replacements, in its module."""
    source = textwrap.dedent(inspect.getsource(function))
    for old, new, what in replacements:
        source = _replace_once(source, old, new, what)
    exec(compile(source, inspect.getsourcefile(module) or module.__name__, "exec"), module.__dict__)


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
    States.Runtime. The shim sends the request to MiniStack's own S3 handler.
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
        body = input_data.get("Body", "")
        payload = body.encode("utf-8") if isinstance(body, str) else bytes(body)
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


SHIMS = [shim_lambda_error_type, shim_s3_put_object_integration, shim_result_selector_context_object]

if __name__ == "__main__":
    from ministack import app

    if os.environ.get("SCONES_MINISTACK_SHIMS", "on") != "off":
        for shim in SHIMS:
            shim()
    app.main()
