using System.Reflection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Status499.ClientClosed;

namespace Status499.Tests.ClientClosed;

// The classifier reads Kestrel's abort messages. They are copied, not referenced (Kestrel's CoreStrings is internal):
// pinned here against the Kestrel each target framework runs, so that a runtime that changes one fails this test
// instead of quietly misclassifying. Reflection is fine in a test.
public sealed class KestrelAbortMessagesTests
{
    public static TheoryData<string, string> Messages => new()
    {
        { "ConnectionTimedBecauseResponseMininumDataRateNotSatisfied", KestrelAbortMessages.ResponseMinimumDataRate },
        { "BadRequest_RequestBodyTimeout", KestrelAbortMessages.RequestBodyTimeout },
        { "ConnectionAbortedDuringServerShutdown", KestrelAbortMessages.ServerShutdown },
        { "ConnectionAbortedByApplication", KestrelAbortMessages.AbortedByApplication },
        { "ConnectionTimedOutByServer", KestrelAbortMessages.TimedOutByServer },
        { "ConnectionAbortedByClient", KestrelAbortMessages.AbortedByClient },
        { "HttpStreamResetByClient", KestrelAbortMessages.StreamResetByClient },
        { "Http2ConnectionFaulted", KestrelAbortMessages.Http2ConnectionFaulted },
        { "BadRequest_UnexpectedEndOfRequestContent", KestrelAbortMessages.UnexpectedEndOfRequestContent },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Each_message_is_the_running_Kestrels(string resource, string copied)
        => Resource(resource).Should().Be(copied);

    [Theory]
    [InlineData("FormatHttp2StreamResetByApplication", KestrelAbortMessages.Http2StreamResetByApplicationPrefix)]
    [InlineData("FormatHttp3StreamResetByApplication", KestrelAbortMessages.Http3StreamResetByApplicationPrefix)]
    public void Each_reset_by_the_application_message_starts_with_the_prefix(string format, string prefix)
    {
        var method = CoreStrings().GetMethod(format, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!;
        ((string)method.Invoke(null, ["CANCEL"])!).Should().StartWith(prefix);
    }

    private static Type CoreStrings()
        => typeof(KestrelServerOptions).Assembly.GetType("Microsoft.AspNetCore.Server.Kestrel.Core.CoreStrings", throwOnError: true)!;

    private static string Resource(string name)
        => (string)CoreStrings().GetProperty(name, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!.GetValue(null)!;
}
