namespace Status499.Tests.Infrastructure;

// A fresh directory under the system temp folder, deleted with everything in it on Dispose.
public sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory() => Info = Directory.CreateTempSubdirectory("status499-tests-");

    public DirectoryInfo Info { get; }

    public string Path => Info.FullName;

    public void Dispose() => Info.Delete(recursive: true);
}
