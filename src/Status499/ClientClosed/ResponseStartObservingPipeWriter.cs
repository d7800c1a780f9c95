using System.IO.Pipelines;

namespace Status499.ClientClosed;

// The response PipeWriter seen by the app on ClientClosedRequest routes (minimal APIs and MVC write JSON here).
// Same purpose as ResponseStartObservingStream.
internal sealed class ResponseStartObservingPipeWriter : PipeWriter
{
    private readonly ClientClosedResponseBody _body;

    public ResponseStartObservingPipeWriter(ClientClosedResponseBody body) => _body = body;

    private PipeWriter Inner => _body.Inner.Writer;

    public override bool CanGetUnflushedBytes => Inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => Inner.UnflushedBytes;

    public override void Advance(int bytes)
    {
        _body.OnResponseStarting();
        Inner.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        _body.OnResponseStarting();
        return Inner.GetMemory(sizeHint);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        _body.OnResponseStarting();
        return Inner.GetSpan(sizeHint);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        _body.OnResponseStarting();
        return Inner.FlushAsync(cancellationToken);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        _body.OnResponseStarting();
        return Inner.WriteAsync(source, cancellationToken);
    }

    public override void CancelPendingFlush() => Inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        _body.OnResponseStarting();
        Inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        _body.OnResponseStarting();
        return Inner.CompleteAsync(exception);
    }
}
