namespace Status499.Tests.RealClients;

// The real-client tests start a sample process, Node and (for the Maps SDK) Chromium each: on a 2-core machine they
// would starve each other and the timing-sensitive tests of other collections, so they run alone and one at a time.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealClientsGroup
{
    public const string Name = "Real ArcGIS clients";
}
