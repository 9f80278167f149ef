/**
 * Raised when a document or event cannot be hashed with the CBV 2.0 event hash ID algorithm
 * (CBV 2.0 §8.9): malformed JSON/XML, no event list, an event without a type, a timestamp that
 * is not an `xsd:dateTimeStamp`, or a JSON value that has no pre-hash form (null, nested arrays).
 */
export class EventHashError extends Error {
  override readonly name = 'EventHashError';

  /**
   * @param message what is wrong
   * @param path where: a JSON pointer (`/epcisBody/eventList/0/eventTime`) for JSON input, an
   *   XPath-like location (`/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent[1]/eventTime`) for XML
   */
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(path ? `${message} (at ${path})` : message);
  }
}
