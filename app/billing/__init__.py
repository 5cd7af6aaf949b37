"""Usage and billing: dated rates, free SMS allowances, the nightly `ft_billing` facts and the usage they give."""
