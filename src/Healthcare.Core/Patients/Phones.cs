using PhoneNumbers;

namespace Healthcare.Core.Patients;

/// <summary>
/// Phone numbers stored in E.164 (+12125550100), so that the same number is always written the same way and
/// can be dialled or texted by the notification worker. A national number needs a country to be read in.
/// </summary>
public static class Phones
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>
    /// The number in E.164, or null when it is not a possible number. <paramref name="country"/> (ISO 3166
    /// alpha-2, such as the address's country) reads numbers written without a +country code.
    /// </summary>
    public static string? ToE164(string input, string? country)
    {
        var region = country is { Length: 2 } ? country.ToUpperInvariant() : null;
        try
        {
            var number = Util.Parse(input, region);
            return Util.IsPossibleNumberWithReason(number) == PhoneNumberUtil.ValidationResult.IS_POSSIBLE
                ? Util.Format(number, PhoneNumberFormat.E164)
                : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    public const string Hint = "Give a phone number in international format (+1 212 555 0100), or a national number with the address's country.";
}
