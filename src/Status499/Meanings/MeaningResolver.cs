using Microsoft.AspNetCore.Http;
using Status499.RouteSettings;

namespace Status499.Meanings;

// A request's Status499Meaning, by the rule every per-route setting follows (RouteSettingResolver.cs): endpoint
// metadata, then the first MapRoute pattern, then DefaultMeaning. TokenRequired guards paths: a spelling of a protected
// path that a lenient server behind a catch-all or proxy would read as that path needs a token too. Built once from
// Status499Options, shared by the middleware and the TokenRouteGuard; Resolve runs on every request and allocates
// nothing.
internal sealed class MeaningResolver
{
    private readonly RouteSettingResolver<IStatus499MeaningMetadata, Status499Meaning> _setting;

    public MeaningResolver(Status499Options options)
        => _setting = new(
            options.Routes,
            options.DefaultMeaning,
            static metadata => metadata.Meaning,
            isGuarded: static meaning => meaning == Status499Meaning.TokenRequired);

    public Status499Meaning Resolve(HttpContext context) => _setting.Resolve(context);

    // The meaning an endpoint declares, if any (the startup checks look for TokenRequired endpoints).
    public static Status499Meaning? FromMetadata(EndpointMetadataCollection metadata)
        => RouteSettingResolver<IStatus499MeaningMetadata, Status499Meaning>.MostSpecific(metadata)?.Meaning;
}
