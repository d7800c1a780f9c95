using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Status499.TestHost;

/// <summary>Serves the ArcGIS Maps SDK test page (tests/clients/maps-sdk/dist) at <c>/maps-sdk/</c>.</summary>
/// <remarks>
/// A test fixture of tests/clients/maps-sdk.mjs, not a page for people: the page waits for the script to drive it.
/// The page is same-origin with <c>/arcgis/…</c>, so the SDK needs no CORS. The folder comes from
/// <c>TestHost:MapsSdkPath</c> (relative paths are resolved against the content root); by default it is found by
/// searching upward from the content root for tests/clients/maps-sdk/dist. Build it with
/// <c>cd tests/clients &amp;&amp; npm ci &amp;&amp; node maps-sdk/build.mjs</c>.
/// </remarks>
internal static class MapsSdkStaticFiles
{
    /// <summary>The configuration key naming the folder to serve.</summary>
    public const string PathKey = "TestHost:MapsSdkPath";

    private const string Prefix = "/maps-sdk";
    private static readonly string DefaultRelativePath = Path.Combine("tests", "clients", "maps-sdk", "dist");

    /// <summary>Maps <c>/maps-sdk/{**path}</c> to the built test page, with Status499 disabled (no token, no 499 rewriting).</summary>
    /// <param name="app">The application's endpoints.</param>
    /// <returns>The same builder.</returns>
    public static IEndpointRouteBuilder MapMapsSdkTestPage(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var configuration = app.ServiceProvider.GetRequiredService<IConfiguration>();
        var environment = app.ServiceProvider.GetRequiredService<IWebHostEnvironment>();
        var site = new Site(configuration[PathKey], environment.ContentRootPath);
        app.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(site.Dispose);

        app.MapMethods(Prefix + "/{**path}", ["GET", "HEAD"], (HttpContext context, string? path) => site.Serve(context, path)).DisableStatus499();
        return app;
    }

    private sealed class Site(string? configuredPath, string contentRoot) : IDisposable
    {
        private readonly FileExtensionContentTypeProvider _contentTypes = CreateContentTypes();
        private readonly Lock _lock = new();
        private PhysicalFileProvider? _files;

        public IResult Serve(HttpContext context, string? path)
        {
            var files = Files();
            if (files is null)
            {
                return Results.Text(
                    $"The Maps SDK test page is not built. Run: cd tests/clients && npm ci && node maps-sdk/build.mjs "
                    + $"(or set {PathKey} to the folder holding index.html).\n",
                    "text/plain; charset=utf-8",
                    statusCode: StatusCodes.Status404NotFound);
            }

            if (string.IsNullOrEmpty(path) && !context.Request.Path.Value!.EndsWith('/'))
            {
                // Relative URLs in index.html (./app.js) need the trailing slash.
                return Results.Redirect(context.Request.PathBase + Prefix + "/");
            }

            var relative = string.IsNullOrEmpty(path) ? "index.html" : path;
            var file = files.GetFileInfo(relative);
            if (!file.Exists || file.IsDirectory || file.PhysicalPath is null)
            {
                return Results.NotFound();
            }

            if (!_contentTypes.TryGetContentType(file.Name, out var contentType))
            {
                contentType = "application/octet-stream";
            }

            context.Response.Headers.CacheControl = "no-cache";
            var lastModified = file.LastModified;
            var etag = new EntityTagHeaderValue($"\"{lastModified.UtcTicks:x}-{file.Length:x}\"");
            return TypedResults.PhysicalFile(file.PhysicalPath, contentType, lastModified: lastModified, entityTag: etag);
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _files?.Dispose();
                _files = null;
            }
        }

        // Found once; searched again on each request while missing, so building the page needs no restart.
        private PhysicalFileProvider? Files()
        {
            if (_files is not null)
            {
                return _files;
            }

            lock (_lock)
            {
                if (_files is null && Locate() is { } root)
                {
                    _files = new PhysicalFileProvider(root);
                }

                return _files;
            }
        }

        private string? Locate()
        {
            if (!string.IsNullOrWhiteSpace(configuredPath))
            {
                var full = Path.GetFullPath(configuredPath, contentRoot);
                return File.Exists(Path.Combine(full, "index.html")) ? full : null;
            }

            for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, DefaultRelativePath);
                if (File.Exists(Path.Combine(candidate, "index.html")))
                {
                    return candidate;
                }
            }

            return null;
        }

        private static FileExtensionContentTypeProvider CreateContentTypes()
        {
            var provider = new FileExtensionContentTypeProvider();
            // Module scripts need a JavaScript MIME type.
            provider.Mappings[".js"] = "text/javascript";
            provider.Mappings[".mjs"] = "text/javascript";
            provider.Mappings[".wasm"] = "application/wasm";
            provider.Mappings[".json"] = "application/json";
            provider.Mappings[".woff2"] = "font/woff2";
            return provider;
        }
    }
}
