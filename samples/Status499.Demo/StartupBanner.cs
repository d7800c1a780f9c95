namespace Status499.Demo;

/// <summary>What the console shows once the demo listens: the URLs to open and the demo credentials.</summary>
internal static class StartupBanner
{
    public static void PrintWhenStarted(WebApplication app, DemoCredentials demo) =>
        app.Lifetime.ApplicationStarted.Register(() => Console.Out.Write(Text(app.Urls, app.Environment.EnvironmentName, demo)));

    public static string Text(IEnumerable<string> urls, string environment, DemoCredentials demo)
    {
        // "http://[::]:5000" and "http://0.0.0.0:5000" listen everywhere; a browser wants a host name.
        var root = urls.Select(u => u.Replace("[::]", "localhost", StringComparison.Ordinal)
                .Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal)
                .Replace("*", "localhost", StringComparison.Ordinal).TrimEnd('/'))
            .OrderBy(u => u.StartsWith("https", StringComparison.Ordinal) ? 1 : 0)
            .FirstOrDefault() ?? "http://localhost:5000";

        var password = demo.PasswordIsDefault ? $"{demo.Password}  (demo default: set Sample__DemoUser__Password to change it)" : "(from configuration)";
        var token = demo.Token is null ? "(none: set Sample__DemoToken to accept one)"
            : demo.TokenIsDefault ? $"{demo.Token}  (demo default: set Sample__DemoToken to change it)" : "(from configuration)";
        return $"""

            Status499 demo ({environment}) is listening on {string.Join(", ", urls)}
              Home page        {root}/                  both meanings of 499, live
              Feature service  {root}{FeatureService.FeatureServiceEndpoints.ServicePath}   token required
              Sign in          {root}/arcgis/tokens/generateToken   (rest/info: {root}/arcgis/rest/info)
              Demo user        {demo.Username} / {password}
              Demo token       {token}
              Try              curl -m 1 {root}/slow      (leave before 5 s: recorded as 499, not 500)

            """;
    }
}
