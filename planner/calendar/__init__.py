"""Calendar invitations, replies and subscription feeds (iCalendar, iTIP, iMIP)."""
