/** A kafkajs protocol error as kafkajs builds one from its error-code table (typed as Error). */
import { KafkaJSProtocolError } from 'kafkajs';

export function protocolError(
  type: string,
  code: number,
  retriable: boolean,
): KafkaJSProtocolError {
  return new KafkaJSProtocolError({
    name: 'KafkaJSProtocolError',
    message: type,
    type,
    code,
    retriable,
  } as Error);
}
