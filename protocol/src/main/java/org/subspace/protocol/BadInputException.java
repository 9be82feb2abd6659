package org.subspace.protocol;

/**
 * Input the user must fix: a bad configuration key, a malformed data file, a bad argument.
 *
 * <p>The message is one line that names the offending key or file (and line); the command
 * line turns it into exit code 2 before anything is written.
 */
public class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
