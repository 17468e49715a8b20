namespace Healthcare.Core.Identity;

/// <summary>
/// What a new password must be: 12 to 1024 characters of any kind, and not guessable. Guessability is
/// zxcvbn's estimate, which knows the common and breached passwords, keyboard patterns, dates and the
/// user's own e-mail and name; scores below 3 ("safely unguessable") are refused.
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 12;
    public const int MaximumLength = 1024;
    private const int MinimumScore = 3;

    /// <summary>Null when acceptable; otherwise the reason, fit to show to the user.</summary>
    public static string? Check(string password, params string[] personalWords)
    {
        // Counted in text elements, so that emoji and combining characters count as one each.
        var length = new System.Globalization.StringInfo(password).LengthInTextElements;
        if (length < MinimumLength)
        {
            return $"The password must have at least {MinimumLength} characters.";
        }

        if (password.Length > MaximumLength)
        {
            return $"The password must have at most {MaximumLength} characters.";
        }

        var inputs = personalWords.Where(w => !string.IsNullOrWhiteSpace(w))
            .SelectMany(w => w.Split(['@', '.', ' ', '-', '_'], StringSplitOptions.RemoveEmptyEntries))
            .Append("healthcare")
            .ToList();
        // zxcvbn's cost grows with length; the first 100 characters decide whether a password is guessable.
        var sample = password.Length > 100 ? password[..100] : password;
        var result = global::Zxcvbn.Zxcvbn.MatchPassword(sample, inputs);
        return result.Score < MinimumScore
            ? "The password is too easy to guess: it is common, a pattern, or built from your own details. Try a longer phrase of unrelated words."
            : null;
    }
}
