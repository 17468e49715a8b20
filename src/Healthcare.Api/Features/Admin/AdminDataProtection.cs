using System.Xml.Linq;
using Healthcare.Core.Data;
using Healthcare.Core.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace Healthcare.Api.Features.Admin;

/// <summary>
/// ASP.NET Core data protection (it signs the admin pages' anti-forgery tokens) with one key ring for every API
/// instance, kept in PostgreSQL and encrypted with the field-encryption keys, so a token issued by one pod is
/// accepted by the next and a database dump alone does not reveal the keys.
/// </summary>
public static class AdminDataProtection
{
    public static IServiceCollection AddAdminDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection()
            .SetApplicationName("healthcare-backend")
            .PersistKeysToDbContext<HealthcareDbContext>();
        services.AddOptions<KeyManagementOptions>().Configure<FieldEncryption>((options, encryption) =>
            options.XmlEncryptor = new FieldXmlEncryptor(encryption));
        return services;
    }

    private const string ElementName = "fieldEncrypted";

    private sealed class FieldXmlEncryptor(FieldEncryption encryption) : IXmlEncryptor
    {
        public EncryptedXmlInfo Encrypt(XElement plaintextElement) => new(
            new XElement(ElementName, encryption.Encrypt(plaintextElement.ToString(SaveOptions.DisableFormatting))),
            typeof(FieldXmlDecryptor));
    }

    /// <summary>Created by the data-protection system through its <see cref="IServiceProvider"/> constructor.</summary>
    internal sealed class FieldXmlDecryptor(IServiceProvider services) : IXmlDecryptor
    {
        public XElement Decrypt(XElement encryptedElement) =>
            XElement.Parse(services.GetRequiredService<FieldEncryption>().Decrypt(encryptedElement.Value)!);
    }
}
