"""The class server: a teacher dashboard and a sync API for game devices."""
