using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.ArcGisServer;

namespace Status499.Tests.Infrastructure;

// Data Protection keeps its keys in the user's home folder (~/.aspnet/DataProtection-Keys) unless the app says
// otherwise, and warns "No XML encryptor configured" when it creates the first key there: what a test saw depended on
// whether the machine already had a key ring and on which test created it. A test app never touches that folder: unless
// the test brings a key ring of its own (PersistKeysTo..., an XmlRepository), it gets one in memory, for that app only.
internal static class TestKeyRing
{
    public static void UseInMemoryUnlessTheTestBringsOne(IServiceCollection services)
        => services.PostConfigure<KeyManagementOptions>(o =>
        {
            if (o.XmlRepository is null)
            {
                o.XmlRepository = new InMemoryKeyRing();
                // Keys that never leave the process need no encryption at rest; saying so keeps the warning away.
                o.XmlEncryptor ??= new InProcessKeyEncryptor();
            }
        });
}

internal sealed class InProcessKeyEncryptor : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
        => new(new XElement("inProcess", plaintextElement), typeof(InProcessKeyDecryptor));
}

// Created by Data Protection from its type name when it reads a key back (a public parameterless constructor).
internal sealed class InProcessKeyDecryptor : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) => encryptedElement.Elements().Single();
}
