using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Status499.Tests.ArcGisServer;

// A Data Protection key store in memory: each test app gets a real key ring (XmlKeyManager, key rotation, key ids in
// payloads) of its own, and nothing is written to the user profile.
public sealed class InMemoryKeyRing : IXmlRepository
{
    private readonly List<XElement> _elements = [];
    private readonly object _lock = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_lock)
        {
            return _elements.Select(e => new XElement(e)).ToList();
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_lock)
        {
            _elements.Add(new XElement(element));
        }
    }

    // Data Protection reads the wall clock, not a TimeProvider; to let time pass for the key ring, its stored dates move
    // back instead (the documented key format: https://learn.microsoft.com/aspnet/core/security/data-protection/implementation/key-storage-format).
    // A running key manager keeps the dates of the keys it has already read: only instances started afterwards see it.
    public void Age(TimeSpan by)
    {
        lock (_lock)
        {
            foreach (var key in _elements.Where(e => e.Name == "key"))
            {
                foreach (var name in (string[])["creationDate", "activationDate", "expirationDate"])
                {
                    var date = key.Element(name)!;
                    date.SetValue((DateTimeOffset)date - by);
                }
            }
        }
    }
}
