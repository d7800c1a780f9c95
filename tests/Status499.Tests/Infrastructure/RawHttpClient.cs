using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Status499.Tests.Infrastructure;

public enum CloseMode
{
    // shutdown(SHUT_WR) then close: the server reads a FIN.
    Fin,

    // SO_LINGER 0 then close: the kernel sends a RST.
    Reset,
}

// A raw HTTP/1.1 client over a real socket, so a test decides exactly when and how the connection dies.
public sealed class RawHttpClient : IDisposable
{
    private readonly Socket _socket;

    private RawHttpClient(Socket socket) => _socket = socket;

    public static async Task<RawHttpClient> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new RawHttpClient(socket);
    }

    public async Task SendAsync(string text) => await _socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);

    public Task SendGetAsync(string path) => SendAsync($"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");

    // Reads until the received text contains marker.
    public async Task<string> ReceiveUntilAsync(string marker)
    {
        var buffer = new byte[4096];
        var received = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!received.ToString().Contains(marker, StringComparison.Ordinal))
        {
            var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return received.ToString();
    }

    public async Task<string> ReceiveToEndAsync()
    {
        var buffer = new byte[4096];
        var received = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int n;
        while ((n = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return received.ToString();
    }

    public void Close(CloseMode mode)
    {
        if (mode == CloseMode.Reset)
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        else
        {
            _socket.Shutdown(SocketShutdown.Send);
        }

        _socket.Close();
    }

    public void Dispose() => _socket.Dispose();
}
