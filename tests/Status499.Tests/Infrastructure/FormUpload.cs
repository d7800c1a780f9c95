using System.Text;

namespace Status499.Tests.Infrastructure;

// Raw application/x-www-form-urlencoded requests whose body may stop short of the declared Content-Length.
public static class FormUpload
{
    // probe: the X-Probe key RequestBodyProbe watches.
    public static string Post(string path, int contentLength, string body, string probe = "1")
        => $"POST {path} HTTP/1.1\r\nHost: localhost\r\nX-Probe: {probe}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {contentLength}\r\n\r\n{body}";

    // token=...&username=...&password=...&pad=xxxx, exactly length bytes: a form that would be valid if it were complete.
    public static string Body(int length)
    {
        var body = new StringBuilder("token=abc&username=alice&password=s3cret&f=json&pad=");
        body.Append('x', length - body.Length);
        return body.ToString();
    }
}
