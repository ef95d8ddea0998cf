using System;

namespace MaceTools
{
    /// <summary>What kind of failure an error is; the faces map it to PowerShell's ErrorCategory and to exit codes.</summary>
    public enum MaceErrorCategory
    {
        NotSpecified,
        InvalidArgument,
        InvalidData,
        ObjectNotFound,
        ResourceExists,
        WriteError,
        ReadError,
        InvalidOperation,
        OperationStopped,
        /// <summary>A device or host that cannot be reached: a failure of the network or the device, not of the input.</summary>
        ConnectionError,
    }

    /// <summary>
    /// The one exception family of MaceTools. <see cref="ErrorId"/> is stable (users catch on it),
    /// <see cref="Target"/> names what failed: a file, a key, a device.
    /// </summary>
    public class MaceException : Exception
    {
        public MaceException(string errorId, MaceErrorCategory category, string message, object? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            Target = target;
        }

        public string ErrorId { get; }
        public MaceErrorCategory Category { get; }
        public object? Target { get; }

        /// <summary>
        /// Any exception as a MaceException, for the faces' one error boundary: a MaceException stays itself, a cancellation
        /// is <see cref="ErrorIds.Cancelled"/>, anything else is <see cref="ErrorIds.Internal"/> with a one-line message
        /// (the exception itself is kept as the inner exception, whose stack trace only --debug / -Debug shows).
        /// </summary>
        public static MaceException From(Exception e) => e switch
        {
            MaceException m => m,
            OperationCanceledException _ => new MaceException(ErrorIds.Cancelled, MaceErrorCategory.OperationStopped, "cancelled", null, e),
            _ => new MaceException(ErrorIds.Internal, MaceErrorCategory.NotSpecified,
                $"internal error: {e.GetType().Name}: {OneLine(e.Message)}", null, e),
        };

        private static string OneLine(string text) => string.Join(" ", text.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>A file that does not decode: names the file, the byte offset and what was expected there.</summary>
    public sealed class MaceFormatException : MaceException
    {
        public MaceFormatException(string errorId, string path, long offset, string message)
            : base(errorId, MaceErrorCategory.InvalidData, $"{path}: offset {offset}: {message}", path)
        {
            Path = path;
            Offset = offset;
            Detail = message;
        }

        public string Path { get; }
        public long Offset { get; }
        /// <summary>The message without the path and offset prefix.</summary>
        public string Detail { get; }
    }

    /// <summary>
    /// A device that was never reached: the connection was refused, timed out or found no route, or the host key or the
    /// login was refused. Nothing was sent to it, so nothing of ours (a temporary file) can be left there.
    /// </summary>
    public sealed class MaceNotReachedException : MaceException
    {
        public MaceNotReachedException(string errorId, MaceErrorCategory category, string message, object? target = null)
            : base(errorId, category, message, target) { }
    }

    /// <summary>Stable error ids. Users match on these; never rename one.</summary>
    public static class ErrorIds
    {
        public const string FileNotFound = "FileNotFound";
        public const string FileUnreadable = "FileUnreadable";
        public const string FileEmpty = "FileEmpty";
        public const string UnknownFormat = "UnknownFormat";
        public const string Truncated = "Truncated";
        public const string NegativeLength = "NegativeLength";
        public const string NegativeCount = "NegativeCount";
        public const string BadCrc = "BadCrc";
        public const string MalformedProtobuf = "MalformedProtobuf";
        public const string BadTuningValue = "BadTuningValue";
        public const string KindMismatch = "KindMismatch";
        public const string PlatformConflict = "PlatformConflict";
        public const string OutputExists = "OutputExists";
        public const string WriteFailed = "WriteFailed";
        public const string InvalidArgument = "InvalidArgument";
        public const string Cancelled = "Cancelled";
        /// <summary>An unexpected failure inside MaceTools (a bug to report): the message names the .NET exception; --debug / -Debug shows its stack trace.</summary>
        public const string Internal = "Internal";
        public const string OpenClNotFound = "OpenClNotFound";
        public const string OpenClCallFailed = "OpenClCallFailed";
        public const string DeviceNotFound = "DeviceNotFound";
        public const string KernelNotFound = "KernelNotFound";
        public const string BuildFailed = "BuildFailed";
        public const string Unsupported = "Unsupported";
        public const string WorkerFailed = "WorkerFailed";
        /// <summary>A deployment file (mace.yml) that is not valid YAML or breaks MACE's schema rules; the message names line, column and key.</summary>
        public const string ConfigInvalid = "ConfigInvalid";
        /// <summary>A -Model pattern that matches no model of a deployment file.</summary>
        public const string ModelNotFound = "ModelNotFound";
        /// <summary>A model file whose SHA-256 differs from the deployment file's checksum.</summary>
        public const string ChecksumMismatch = "ChecksumMismatch";
        /// <summary>A model URL that cannot be downloaded (refused, offline, HTTP error, timeout).</summary>
        public const string DownloadFailed = "DownloadFailed";
        /// <summary>A name that becomes part of a file name (library, model, device, soc) but holds a path separator, is '.' or '..', empty, or holds a control character.</summary>
        public const string UnsafeName = "UnsafeName";
        /// <summary>A kernel whose local size could not be tuned (the driver refused every size, or the launch failed).</summary>
        public const string TuningFailed = "TuningFailed";
        /// <summary>A local program that MaceTools drives (ssh, adb) cannot be started: not installed or not on PATH.</summary>
        public const string ToolNotFound = "ToolNotFound";
        /// <summary>A device cannot be reached: connection refused, timed out, no route, name not resolved.</summary>
        public const string RemoteUnreachable = "RemoteUnreachable";
        /// <summary>The device's host key is not in known_hosts and strict checking is on.</summary>
        public const string RemoteHostKeyUnknown = "RemoteHostKeyUnknown";
        /// <summary>The device's host key differs from the one in known_hosts (a reinstalled device, or someone in between).</summary>
        public const string RemoteHostKeyChanged = "RemoteHostKeyChanged";
        /// <summary>The device refused the login (no usable key, wrong user).</summary>
        public const string RemoteAuthFailed = "RemoteAuthFailed";
        /// <summary>A command on the device exited non-zero; the message holds its exit code and standard error.</summary>
        public const string RemoteCommandFailed = "RemoteCommandFailed";
        /// <summary>A remote command or connection did not finish in time.</summary>
        public const string RemoteTimeout = "RemoteTimeout";
        /// <summary>A device that is attached but not usable: offline, unauthorized, no permissions; the message names serial and state.</summary>
        public const string DeviceUnavailable = "DeviceUnavailable";
        /// <summary>A file push or pull to or from a device that failed; the message names serial and path.</summary>
        public const string TransferFailed = "TransferFailed";
        /// <summary>A file named for another device (MACE's &lt;library&gt;_…&lt;device&gt;.&lt;soc&gt;.bin) or with no device in its name, refused without -Force.</summary>
        public const string IdentityMismatch = "IdentityMismatch";
        /// <summary>No devices.yml given, none in $MACETOOLS_INVENTORY and none in the current folder.</summary>
        public const string InventoryNotFound = "InventoryNotFound";
        /// <summary>Publish or Compare without files, and no MACE-named file in the current folder is for a target.</summary>
        public const string NoFileForDevice = "NoFileForDevice";
        /// <summary>An input path that names a directory, FIFO, device or socket: only regular files (or symlinks to them) are read.</summary>
        public const string NotARegularFile = "NotARegularFile";
        /// <summary>An input file larger than its kind's cap (InputGate.Caps); the message names the size, the cap and the variable that raises it.</summary>
        public const string InputTooLarge = "InputTooLarge";
        /// <summary>A line of a results file (macetools report --in) that is not one JSON object; the message names file and line.</summary>
        public const string ResultLineInvalid = "ResultLineInvalid";
        /// <summary>A model input (raw float32 or .npy file) of the wrong size or dtype, or holding NaN or ∞; the message names the input and its expected shape.</summary>
        public const string InvalidInput = "InvalidInput";
        /// <summary>The reference runtime (ONNX Runtime's CPU provider) could not load or run the model, or its native library is missing.</summary>
        public const string ReferenceFailed = "ReferenceFailed";
        /// <summary>A program file given to run a model (-ProgramFile) lacks a program the model needs on the device; the message names the file and the key.</summary>
        public const string ProgramNotInFile = "ProgramNotInFile";
    }
}
