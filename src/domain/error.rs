/// Why a field was refused. Pages turn it into words in the reader's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldError {
    Missing,
    TooLong(usize),
    ControlCharacters,
    /// Characters that change the direction of the text around them (see `text`).
    DirectionControls,
    InvalidEmail,
    UnknownCountry,
    /// A throwaway mailbox: the signature could never be confirmed or withdrawn later.
    DisposableEmail,
    /// Not an `http(s)` address with a host name (an organisation's website).
    InvalidUrl,
}
