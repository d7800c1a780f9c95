using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Status499.Benchmarks;

// Managed heap per idle keep-alive connection: opens N connections to a running KestrelLoadApp, sends one request on
// each and keeps them open, and reads the server's heap after a full GC (GET /heap) before and after.
// Usage: dotnet Status499.Benchmarks.dll idle-connections <host> <port> <connections> <path> [token]
public static class IdleConnections
{
    public static async Task RunAsync(string[] args)
    {
        var host = args[0];
        var port = int.Parse(args[1], CultureInfo.InvariantCulture);
        var count = int.Parse(args[2], CultureInfo.InvariantCulture);
        var path = args[3];
        var token = args.Length > 4 ? args[4] : null;
        var request = Encoding.ASCII.GetBytes(
            $"GET {path} HTTP/1.1\r\nHost: {host}\r\n" + (token is null ? string.Empty : $"X-Esri-Authorization: Bearer {token}\r\n") + "\r\n");

        // Warm up on throw-away connections so JIT and first-use caches are not counted.
        for (var i = 0; i < 50; i++)
        {
            using var warm = await OpenAsync(host, port, request);
        }

        var before = await HeapAsync(host, port);
        var sockets = new List<Socket>(count);
        for (var i = 0; i < count; i++)
        {
            sockets.Add(await OpenAsync(host, port, request));
        }

        var after = await HeapAsync(host, port);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} idle connections on {path}: heap {before} -> {after} B, {(after - before) / (double)count:F0} B per connection"));
        // IDLE_HOLD_SECONDS keeps the connections open a while, e.g. to take a dotnet-gcdump of the server.
        if (int.TryParse(Environment.GetEnvironmentVariable("IDLE_HOLD_SECONDS"), out var hold))
        {
            await Task.Delay(TimeSpan.FromSeconds(hold));
        }

        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }

    private static async Task<Socket> OpenAsync(string host, int port, byte[] request)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port);
        await socket.SendAsync(request);
        await ReadResponseAsync(socket);
        return socket;
    }

    private static async Task<string> ReadResponseAsync(Socket socket)
    {
        var buffer = new byte[4096];
        var length = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length));
            if (read == 0)
            {
                throw new InvalidOperationException("The server closed the connection.");
            }

            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                continue;
            }

            var status = text[..text.IndexOf('\r', StringComparison.Ordinal)];
            if (!status.Contains(" 200 ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("Unexpected response: " + status);
            }

            var marker = "content-length:";
            var at = text.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at < 0)
            {
                // Chunked (a minimal API string result): one data chunk, then the terminating chunk.
                if (text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
                {
                    var chunk = text[(end + 4)..];
                    var sizeEnd = chunk.IndexOf("\r\n", StringComparison.Ordinal);
                    var size = int.Parse(chunk.AsSpan(0, sizeEnd), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    return chunk.Substring(sizeEnd + 2, size);
                }

                continue;
            }

            var lineEnd = text.IndexOf('\r', at);
            var contentLength = int.Parse(text.AsSpan(at + marker.Length, lineEnd - at - marker.Length).Trim(), CultureInfo.InvariantCulture);
            if (length >= end + 4 + contentLength)
            {
                return text.Substring(end + 4, contentLength);
            }
        }
    }

    private static async Task<long> HeapAsync(string host, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /heap HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        return long.Parse(await ReadResponseAsync(socket), CultureInfo.InvariantCulture);
    }
}
