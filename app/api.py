"""The flask-smorest Api, with every error answered as application/problem+json."""
from flask_smorest import Api


class ProblemApi(Api):
    def _register_error_handlers(self):
        # app.errors.init_app installs the problem+json handler for the whole application.
        pass
