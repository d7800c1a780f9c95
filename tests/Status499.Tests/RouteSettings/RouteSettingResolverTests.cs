using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.RouteSettings;

// The one precedence rule of every per-route setting, on a setting of its own: the most specific endpoint metadata, then
// the first matching pattern, then the default; a guarded value holds on every spelling of a path. MeaningResolverTests
// and ContinueAfterClientAbortResolverTests check the two real settings through routing.
public sealed class RouteSettingResolverTests
{
    private const string Guarded = "guarded";

    private static RouteSettingResolver<Declared, string> Resolver(string defaultValue, bool guards, params (string Pattern, string Value)[] routes)
        => new(
            [.. routes.Select(route => new RouteMapping<string>(route.Pattern, route.Value, route.Pattern))],
            defaultValue,
            static declared => declared.Value,
            guards ? static value => value == Guarded : null);

    private static DefaultHttpContext Request(string path, params Declared[] metadata)
    {
        var context = new DefaultHttpContext { Request = { Path = path } };
        if (metadata.Length > 0)
        {
            context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(metadata), "test"));
        }

        return context;
    }

    [Fact]
    public void Endpoint_metadata_wins_over_patterns_even_a_guarded_one()
    {
        var resolver = Resolver("default", guards: true, ("/secret/{**rest}", Guarded));
        resolver.Resolve(Request("/secret/x", new Declared("declared"))).Should().Be("declared");
    }

    [Fact]
    public void The_last_metadata_the_most_specific_wins()
    {
        var resolver = Resolver("default", guards: false);
        resolver.Resolve(Request("/x", new Declared("group"), new Declared("endpoint"))).Should().Be("endpoint");
    }

    [Fact]
    public void An_endpoint_without_the_metadata_is_decided_by_the_patterns()
    {
        var resolver = Resolver("default", guards: false, ("/x", "pattern"));
        var context = Request("/x");
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new object()), "other metadata"));

        resolver.Resolve(context).Should().Be("pattern");
    }

    [Fact]
    public void The_first_matching_pattern_wins_over_later_ones_and_the_default()
    {
        var resolver = Resolver("default", guards: false, ("/api/streams/{**rest}", "first"), ("/api/{**rest}", "second"), ("/api/streams/live", "third"));

        resolver.Resolve(Request("/api/streams/live")).Should().Be("first");
        resolver.Resolve(Request("/api/other")).Should().Be("second");
        resolver.Resolve(Request("/elsewhere")).Should().Be("default");
    }

    [Fact]
    public void Without_patterns_the_path_is_never_read()
    {
        var resolver = Resolver(Guarded, guards: true);
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new PathlessRequestFeature());

        resolver.Resolve(new DefaultHttpContext(features)).Should().Be(Guarded);
    }

    // "/open/..%2Fsecret/x" matches the open pattern as it is, and reads as "/secret/x" on a server that decodes again.
    [Theory]
    [InlineData("/open/..%2Fsecret/x")]
    [InlineData("/secret;x/file")]
    [InlineData("/secret./file")]
    public void A_guarded_pattern_holds_on_every_spelling_of_its_paths(string path)
    {
        var resolver = Resolver("default", guards: true, ("/open/{**rest}", "open"), ("/secret/{**rest}", Guarded));
        resolver.Resolve(Request(path)).Should().Be(Guarded);
    }

    [Fact]
    public void A_guarded_default_is_not_escaped_through_an_open_pattern()
    {
        var resolver = Resolver(Guarded, guards: true, ("/public/{**rest}", "open"));

        resolver.Resolve(Request("/public/file.txt")).Should().Be("open");
        resolver.Resolve(Request("/public/..%2Fsecret.txt")).Should().Be(Guarded);
    }

    [Fact]
    public void Other_spellings_change_nothing_when_they_lead_to_no_guarded_value()
    {
        var guarding = Resolver("default", guards: true, ("/a/{**rest}", "first"), ("/b/{**rest}", "second"), ("/secret/{**rest}", Guarded));
        var unguarded = Resolver("default", guards: false, ("/a/{**rest}", "first"), ("/secret/{**rest}", Guarded));

        guarding.Resolve(Request("/a/..%2Fb/x")).Should().Be("first");
        unguarded.Resolve(Request("/secret;x/file")).Should().Be("default", "a setting that guards nothing matches the path as it is");
    }

    // A pattern with parameters is tried on every path too; only its match allocates (the captured values), which the
    // literal shapes ("/a/b", "/a/b/{**rest}") never need (RoutePatternMatcher.cs).
    [Fact]
    public void Resolve_allocates_nothing()
    {
        var resolver = Resolver("default", guards: true, ("/items/{id}/details", "template"), ("/open/{**rest}", "open"), ("/secret/{**rest}", Guarded));
        var withoutPatterns = Resolver("default", guards: true);
        DefaultHttpContext[] contexts =
        [
            Request("/open/file", new Declared("declared")), Request("/open/a/b"), Request("/secret/x"), Request("/elsewhere/file.v2.json"),
            Request("/"),
        ];
        Allocations.Of(() =>
        {
            foreach (var context in contexts)
            {
                resolver.Resolve(context);
                withoutPatterns.Resolve(context);
            }
        }).Should().Be(0);
        contexts.Select(resolver.Resolve).Should().Equal("declared", "open", Guarded, "default", "default");
    }

    public sealed record Declared(string Value);

    // A request whose path must not be read.
    private sealed class PathlessRequestFeature : IHttpRequestFeature
    {
        public string Protocol { get; set; } = "HTTP/1.1";
        public string Scheme { get; set; } = "http";
        public string Method { get; set; } = "GET";
        public string PathBase { get; set; } = "";
        public string Path { get => throw new InvalidOperationException("The path was read."); set { } }
        public string QueryString { get; set; } = "";
        public string RawTarget { get; set; } = "";
        public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();
        public Stream Body { get; set; } = Stream.Null;
    }
}
