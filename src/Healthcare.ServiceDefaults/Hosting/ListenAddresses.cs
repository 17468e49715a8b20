using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Healthcare.ServiceDefaults.Hosting;

/// <summary>
/// <c>LISTEN_ADDRESS</c> as both hosts read it: <c>any</c> (all interfaces), <c>localhost</c>, or an IP address.
/// </summary>
public static class ListenAddresses
{
    public const string Invalid = "LISTEN_ADDRESS must be 'any', 'localhost' or an IP address";

    /// <summary>
    /// <see cref="IPAddress.IPv6Any"/> for any interface, null for localhost, <see cref="IPAddress.None"/> for a
    /// value that is none of these.
    /// </summary>
    public static IPAddress? Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "any" or "*" or "" => IPAddress.IPv6Any,
        "localhost" => null,
        var other => IPAddress.TryParse(other, out var ip) ? ip : IPAddress.None,
    };

    public static bool IsValid(string value) => !Equals(Parse(value), IPAddress.None);

    /// <summary>Listens on <paramref name="port"/> at an address from <see cref="Parse"/>.</summary>
    public static void ListenOn(this KestrelServerOptions kestrel, IPAddress? address, int port, Action<ListenOptions>? configure = null)
    {
        configure ??= _ => { };
        switch (address)
        {
            case null:
                kestrel.ListenLocalhost(port, configure);
                break;
            case var any when any.Equals(IPAddress.IPv6Any):
                // Dual-stack where IPv6 exists, IPv4 only where it does not.
                kestrel.ListenAnyIP(port, configure);
                break;
            case var ip:
                kestrel.Listen(ip, port, configure);
                break;
        }
    }
}
