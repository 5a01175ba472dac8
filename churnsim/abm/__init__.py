"""The agent engine: a Mesa agent per customer, the model that schedules them, the live page."""
