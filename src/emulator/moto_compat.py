"""moto server with the scones compatibility shims, for the promote tests (test/promote) only.

Run with the project venv's Python instead of the `moto_server` console script; the arguments are
moto server's own. Each shim makes the pinned moto (requirements-emulators.txt) answer as AWS
documents; docs/emulator-differences.md lists them with their sources. A shim whose target code is
no longer found fails the start loudly: moto changed, so check whether the difference is gone.

Set SCONES_MOTO_SHIMS=off to run moto unchanged (to observe the differences).
"""

import os
import sys

# The helpers that recompile a function with checked source replacements live beside this file.
from ministack_compat import _redefine


def shim_get_bucket_notification_eventbridge():
    """GetBucketNotificationConfiguration reports `EventBridgeConfiguration` when it is on.

    AWS: the response carries an empty `<EventBridgeConfiguration/>` element when the bucket sends
    its events to EventBridge (S3 API reference, GetBucketNotificationConfiguration, response
    element EventBridgeConfiguration). moto 5.2.5 stores the setting from
    PutBucketNotificationConfiguration but leaves it out of the response, so a client cannot tell
    that EventBridge notifications are on (and a deploy would turn them on again every time).
    """
    from moto.s3 import responses

    _redefine(
        responses,
        responses.S3Response.get_bucket_notification,
        [
            (
                '    self.data["Action"] = "GetBucketNotificationConfiguration"\n',
                "    if notification_configuration.event_bridge is not None:\n"
                '        result["EventBridgeConfiguration"] = {}\n'
                '    self.data["Action"] = "GetBucketNotificationConfiguration"\n',
                "notification configuration response",
            )
        ],
        owner=responses.S3Response,
    )


SHIMS = [shim_get_bucket_notification_eventbridge]

if __name__ == "__main__":
    from moto.server import main

    if os.environ.get("SCONES_MOTO_SHIMS", "on") != "off":
        for shim in SHIMS:
            shim()
    main(sys.argv[1:])
