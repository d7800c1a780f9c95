namespace Status499.ClientClosed;

// The response body stream seen by the app on ClientClosedRequest routes: forwards to the real stream after
// giving ClientClosedResponseBody its chance to set 499 before the first write starts the response.
// Dispose is inherited and does nothing here: the real stream belongs to the server.
internal sealed class ResponseStartObservingStream : Stream
{
    private readonly ClientClosedResponseBody _body;

    public ResponseStartObservingStream(ClientClosedResponseBody body) => _body = body;

    private Stream Inner => _body.Inner.Stream;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
        _body.OnResponseStarting();
        Inner.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        _body.OnResponseStarting();
        return Inner.FlushAsync(cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        _body.OnResponseStarting();
        Inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _body.OnResponseStarting();
        Inner.Write(buffer);
    }

    public override void WriteByte(byte value)
    {
        _body.OnResponseStarting();
        Inner.WriteByte(value);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _body.OnResponseStarting();
        return Inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _body.OnResponseStarting();
        return Inner.WriteAsync(buffer, cancellationToken);
    }

    public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state)
        => TaskToAsyncResult.Begin(WriteAsync(buffer, offset, count, CancellationToken.None), callback, state);

    public override void EndWrite(IAsyncResult asyncResult) => TaskToAsyncResult.End(asyncResult);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
