using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Status499.ClientClosed;

namespace Status499.Tests.ClientClosed;

// The rules of TerminationClassifier, one by one, on the exception shapes Kestrel produces (docs/design/termination.md).
public sealed class TerminationClassifierTests
{
    public static TheoryData<Exception, RequestTermination> Exceptions => new()
    {
        { new ConnectionResetException("reset"), RequestTermination.ClientReset },
        { new BadHttpRequestException(KestrelAbortMessages.UnexpectedEndOfRequestContent, 400), RequestTermination.ClientClosed },
        { new BadHttpRequestException(KestrelAbortMessages.RequestBodyTimeout, 408), RequestTermination.ClientTooSlow },
        { new ConnectionAbortedException(KestrelAbortMessages.ResponseMinimumDataRate), RequestTermination.ClientTooSlow },
        { new ConnectionAbortedException(KestrelAbortMessages.ServerShutdown), RequestTermination.ServerShutdown },
        { new ConnectionAbortedException(KestrelAbortMessages.AbortedByApplication), RequestTermination.ApplicationAbort },
        { new ConnectionAbortedException("The HTTP/2 stream was reset by the application with error code CANCEL."), RequestTermination.ApplicationAbort },
        { new ConnectionAbortedException(KestrelAbortMessages.TimedOutByServer), RequestTermination.ServerTimeout },
        { new IOException(KestrelAbortMessages.StreamResetByClient), RequestTermination.ClientStreamReset },

        // HTTP/2 connection endings reach each stream as IOException → ConnectionAbortedException → the reason.
        { Http2Stream(new ConnectionAbortedException(KestrelAbortMessages.Http2ConnectionFaulted)), RequestTermination.ClientClosed },
        { Http2Stream(new ConnectionAbortedException(KestrelAbortMessages.Http2ConnectionFaulted, new ConnectionResetException("reset"))), RequestTermination.ClientReset },
        { Http2Stream(new ConnectionAbortedException(KestrelAbortMessages.ServerShutdown)), RequestTermination.ServerShutdown },
        { Http2Stream(new ConnectionAbortedException(KestrelAbortMessages.ResponseMinimumDataRate)), RequestTermination.ClientTooSlow },
        { Http2Stream(new ConnectionAbortedException(KestrelAbortMessages.Http2ConnectionFaulted, new Http2ConnectionErrorException())), RequestTermination.ProtocolError },

        { new TaskCanceledException(), RequestTermination.None },
        { new IOException("disk full"), RequestTermination.None },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void Exception_chain_tells_who_ended_it(Exception exception, RequestTermination expected)
        => TerminationClassifier.FromException(exception).Should().Be(expected);

    [Fact]
    public void The_apps_abort_wins_over_what_the_client_token_says()
        => TerminationClassifier.Classify(new TerminationEvidence { AbortedByApplication = true, ClientTokenCancelled = true })
            .Should().Be(RequestTermination.ApplicationAbort);

    [Fact]
    public void A_request_timeout_wins_over_the_cancelled_token_it_linked()
        => TerminationClassifier.Classify(new TerminationEvidence { RequestTimedOut = true, ClientTokenCancelled = true, Exception = new TaskCanceledException() })
            .Should().Be(RequestTermination.RequestTimeout);

    [Fact]
    public void Status499s_own_abort_for_a_client_gone_mid_body_is_not_the_apps()
        => TerminationClassifier.Classify(new TerminationEvidence
        {
            AbortedForClient = true,
            Poison = new ConnectionAbortedException(KestrelAbortMessages.AbortedByApplication),
            Transport = TransportEnd.Failed,
            TransportError = new ConnectionResetException("reset"),
            ClientTokenCancelled = true,
        }).Should().Be(RequestTermination.ClientReset);

    [Theory]
    [InlineData(true, false, RequestTermination.ClientClosed)]
    [InlineData(true, true, RequestTermination.ClientClosed)]
    [InlineData(false, true, RequestTermination.ServerShutdown)]
    [InlineData(false, false, RequestTermination.ClientAborted)]
    public void Without_a_reason_the_transport_then_shutdown_then_the_client_token_decide(bool transportCompleted, bool stopping, RequestTermination expected)
        => TerminationClassifier.Classify(new TerminationEvidence
        {
            Transport = transportCompleted ? TransportEnd.Completed : TransportEnd.Unknown,
            ApplicationStopping = stopping,
            ClientTokenCancelled = true,
        }).Should().Be(expected);

    [Fact]
    public void Nothing_known_and_the_client_token_not_cancelled_is_no_early_end()
        => TerminationClassifier.Classify(default).Should().Be(RequestTermination.None);

    [Fact]
    public void Only_the_clients_own_leaving_is_a_client_termination()
    {
        Enum.GetValues<RequestTermination>().Where(t => t.IsClient()).Should().BeEquivalentTo(
            [RequestTermination.ClientClosed, RequestTermination.ClientReset, RequestTermination.ClientAborted, RequestTermination.ClientStreamReset]);
    }

    private static IOException Http2Stream(Exception connectionError) => new("The request stream was aborted.", connectionError);

    // Kestrel's own type is internal: the classifier matches its name.
    private sealed class Http2ConnectionErrorException() : Exception("HTTP/2 connection error (PROTOCOL_ERROR)");
}
