namespace Appliance.Common;

/// <summary>
/// Reads a small secret file (a PIN, a management key) with read(2) straight into locked pages, so no
/// managed buffer ever holds it. Trailing line breaks and spaces are dropped, as editors add them.
/// </summary>
public static class SecretFile
{
    /// <summary>Larger than any PIN or key file; a bigger file is the wrong file.</summary>
    public const int MaxLength = 1024;

    /// <param name="what">What the file holds, for messages ("PIN", "management key").</param>
    public static SecretBytes Read(string path, string what) => Read(path, what, MaxLength);

    /// <param name="maxLength">The largest file accepted (a PEM private key needs more than a PIN).</param>
    public static SecretBytes Read(string path, string what, int maxLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The {what} file {path} does not exist; create it with mode 0600.", path);
        using var scratch = SecretBytes.Allocate(maxLength + 1);
        var buffer = scratch.WritableSpan;
        var length = 0;
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
        {
            int read;
            while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer[length..], length)) > 0) length += read;
        }
        if (length > maxLength)
            throw new ArgumentException($"The {what} file {path} is larger than {maxLength} bytes; it should hold only the {what}.");
        while (length > 0 && buffer[length - 1] is (byte)'\n' or (byte)'\r' or (byte)' ') length--;
        if (length == 0) throw new ArgumentException($"The {what} file {path} is empty; write the {what} into it.");
        return SecretBytes.CopyFrom(buffer[..length]);
    }
}
