"""Feedback both ways: questions and feedback from people, with or without an account, answered by the project
manager, and the answers worth sharing published to the programme's FAQ."""
