Feature: Logging in from a browser
  As someone who walks with the app in a browser I log in with my password and
  the session cookie does the rest. Someone guessing my password is slowed
  down without locking me out, and a damaged cookie only means I am not
  logged in.

  Background:
    Given the service is running with its default login limits
    And "ada" has an account with the password "correct horse"

  Scenario: A password guesser is slowed down, the owner is not locked out
    When someone at 203.0.113.9 tries 30 wrong passwords for "ada"
    Then the first 5 attempts are refused with 401 "unauthenticated"
    And the others are refused with 429 "rate-limited" and a time to retry
    And "ada" at 203.0.113.9 is refused with 429 "rate-limited" even with the right password
    But "ada" at 198.51.100.4 logs in with the right password

  Scenario: A damaged session cookie is no session
    Given "ada" has logged in
    When one character of her session cookie is changed
    Then every page still answers, none with a server error
    And she is asked to authenticate with 401 "unauthenticated"
    And she can log in again
